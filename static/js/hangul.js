// Korean pages: hold the first layout back until the Hangul web font is there (at most 3 s).
// A classic script in <head>, before <body> exists. Text laid out while its font is still loading
// may keep its empty boxes after the font arrives, so nothing is laid out before it. A machine with
// a Korean system font draws Hangul itself and does not wait (nor download the font).
(function () {
  var root = document.documentElement;
  var fonts = document.fonts;
  if (!fonts || !fonts.load || hasSystemHangul()) return;
  root.classList.add("hangul-wait");
  var show = function () {
    root.classList.remove("hangul-wait");
  };
  Promise.all([
    fonts.load('16px "Servicescope Hangul"', "가"),
    fonts.load('bold 16px "Servicescope Hangul"', "가"),
  ]).then(show, show);
  setTimeout(show, 3000);

  // With no Korean font, "가" is drawn as the same missing-glyph box as a character no font has.
  function hasSystemHangul() {
    var c = document.createElement("canvas").getContext("2d");
    if (!c) return true;
    c.font = '16px system-ui, "Segoe UI", Roboto, "Noto Sans KR", "Malgun Gothic", "Apple SD Gothic Neo", "NanumGothic", "DejaVu Sans", sans-serif';
    return c.measureText("가").width !== c.measureText("\u{10FFFD}").width;
  }
})();
