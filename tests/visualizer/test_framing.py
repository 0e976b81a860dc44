"""Big websocket texts go out as `part` messages under Daphne's 1 MiB payload limit."""

import asyncio
import json

from visualizer.framing import PART_SIZE, SendInParts, parts


def test_small_texts_go_whole() -> None:
    assert parts('{"type":"hello"}') == ('{"type":"hello"}',)


def test_big_texts_go_in_parts_that_join_back() -> None:
    text = json.dumps({"type": "snapshot", "pods": ['"quoted" \\ ' * 50_000] * 3})
    messages = [json.loads(p) for p in parts(text)]
    assert len(messages) == -(-len(text) // PART_SIZE) > 1
    assert [(m["type"], m["n"], m["of"]) for m in messages] == [("part", i, len(messages)) for i in range(len(messages))]
    assert "".join(m["data"] for m in messages) == text
    assert max(len(p.encode()) for p in parts(text)) < 1024 * 1024


def test_the_middleware_splits_only_big_text_sends() -> None:
    sent: list[dict] = []

    async def app(scope, receive, send) -> None:
        await send({"type": "websocket.accept"})
        await send({"type": "websocket.send", "text": "x" * 10})
        await send({"type": "websocket.send", "text": "y" * 25})
        await send({"type": "websocket.send", "bytes": b"z" * 25})

    async def send(message: dict) -> None:
        sent.append(message)

    asyncio.run(SendInParts(app, size=10)({"type": "websocket"}, None, send))
    texts = [m.get("text") for m in sent]
    assert texts[:2] == [None, "x" * 10]
    assert [json.loads(t)["data"] for t in texts[2:5]] == ["y" * 10, "y" * 10, "y" * 5]
    assert sent[5] == {"type": "websocket.send", "bytes": b"z" * 25}
