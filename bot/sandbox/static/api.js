// The engine's JSON API (see bot/sandbox's README) and its live updates.

export class ApiError extends Error {}

/** POST JSON; answers the parsed body, or throws ApiError with the engine's message. */
export async function post(path, body) {
  const response = await fetch(path, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify(body),
  });
  let answer = {};
  try {
    answer = await response.json();
  } catch {
    answer = { ok: false, error: `HTTP ${response.status}` };
  }
  if (!response.ok || (answer.ok === false && answer.error)) {
    throw new ApiError(answer.error || `HTTP ${response.status}`);
  }
  return answer;
}

export async function getState(user, since) {
  const query = new URLSearchParams();
  if (user) query.set("user", user); // none: the engine answers for its first teammate
  if (since !== undefined) query.set("since", String(since));
  const response = await fetch(`/api/state?${query}`);
  if (!response.ok) throw new ApiError(`state: HTTP ${response.status}`);
  return response.json();
}

/**
 * Calls `onVersion(n)` whenever the engine's state changes: EventSource on /api/events, or,
 * if the stream fails, long polls of /api/state?since=n.
 */
export function watchVersions(onVersion, currentUser, currentVersion) {
  let polling = false;
  const poll = async () => {
    polling = true;
    for (;;) {
      try {
        const state = await getState(currentUser(), currentVersion());
        onVersion(state.version);
      } catch {
        await new Promise((resolve) => setTimeout(resolve, 1000));
      }
    }
  };
  if (!("EventSource" in window)) {
    poll();
    return;
  }
  const source = new EventSource("/api/events");
  let opened = false;
  source.onopen = () => {
    opened = true;
  };
  source.onmessage = (event) => {
    try {
      onVersion(JSON.parse(event.data).version);
    } catch {
      /* a keep-alive or a malformed line: nothing to do */
    }
  };
  source.onerror = () => {
    // EventSource reconnects by itself once it had a connection; one that never opened falls
    // back to long polling.
    if (!opened && !polling) {
      source.close();
      poll();
    }
  };
}
