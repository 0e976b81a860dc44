// The sandbox's stored traces (newest N, oldest first), so the trace log's history and Replay
// work after a reload: GET /api/clusters/<id>/traces/ (owner) or /watch/<token>/traces/ (viewer).

export const HISTORY_LIMIT = 20;

export async function fetchTraceHistory(url, { limit = HISTORY_LIMIT, fetchImpl = fetch } = {}) {
  const u = new URL(url, window.location.href);
  u.searchParams.set("limit", String(limit));
  const res = await fetchImpl(u.href, { credentials: "same-origin", headers: { Accept: "application/json" } });
  if (!res.ok) return [];
  const data = await res.json();
  return Array.isArray(data.traces) ? data.traces : [];
}
