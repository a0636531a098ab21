// Talking to the cloud: the API token (sessionStorage), JSON requests with the bearer header, and the
// live stream (EventSource opened with a single-use ticket, reopened with a fresh one after any error).

const TOKEN_KEY = 'swath.apiToken';

export class ApiError extends Error {
  constructor(status, message) {
    super(message);
    this.status = status;
  }
}

export function getToken() {
  return sessionStorage.getItem(TOKEN_KEY);
}

export function setToken(token) {
  if (token === null) sessionStorage.removeItem(TOKEN_KEY);
  else sessionStorage.setItem(TOKEN_KEY, token);
}

let onUnauthorized = () => {};
/** Called when the server rejects the stored token (expired session: back to the login). */
export function setUnauthorizedHandler(fn) {
  onUnauthorized = fn;
}

export async function apiFetch(path, { method = 'GET', body, token = getToken() } = {}) {
  const headers = { authorization: `Bearer ${token ?? ''}` };
  if (body !== undefined) headers['content-type'] = 'application/json';
  let res;
  try {
    res = await fetch(path, {
      method,
      headers,
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
  } catch (err) {
    throw new ApiError(0, `network error: ${err.message}`);
  }
  const text = await res.text();
  let json = null;
  try {
    if (text) json = JSON.parse(text);
  } catch {
    // Not JSON (a proxy's error page): the status line says enough.
  }
  if (!res.ok) {
    const message = json?.message ?? `${res.status} ${res.statusText}`;
    if (res.status === 401 && token === getToken()) onUnauthorized(message);
    throw new ApiError(res.status, message);
  }
  return json;
}

const STREAM_EVENTS = ['hello', 'status', 'state', 'event', 'map', 'gap', 'refused'];

/**
 * Follows the fleet (robotId null) or one robot. `onMessage(name, data)` gets every server event;
 * `onLinkState('connecting' | 'live' | 'reconnecting')` the stream's health. Returns { close() }.
 */
export function openStream(robotId, onMessage, onLinkState = () => {}) {
  let source = null;
  let closed = false;
  let timer = null;
  let delayMs = 1000;

  const retryLater = () => {
    if (closed) return;
    onLinkState('reconnecting');
    timer = setTimeout(connect, delayMs);
    delayMs = Math.min(delayMs * 2, 15000);
  };

  async function connect() {
    onLinkState('connecting');
    let ticket;
    try {
      ({ ticket } = await apiFetch('/api/stream/tickets', { method: 'POST' }));
    } catch (err) {
      if (err.status !== 401) retryLater();
      return;
    }
    if (closed) return;
    const query = new URLSearchParams({ ticket });
    if (robotId !== null) query.set('robot', robotId);
    source = new EventSource(`/api/stream?${query}`);
    for (const name of STREAM_EVENTS) {
      source.addEventListener(name, (e) => {
        if (name === 'hello') {
          delayMs = 1000;
          onLinkState('live');
        }
        onMessage(name, JSON.parse(e.data));
      });
    }
    // The ticket is spent: EventSource's own retry would be refused, so reconnect with a new one.
    source.onerror = () => {
      source.close();
      source = null;
      retryLater();
    };
  }

  connect();
  return {
    close() {
      closed = true;
      clearTimeout(timer);
      source?.close();
    },
  };
}
