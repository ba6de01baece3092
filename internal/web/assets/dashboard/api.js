// The dashboard's one way to the hub: GraphQL over HTTP (POST /graphql)
// and subscriptions over WebSocket (graphql-ws), with the bearer token of
// the signed-in role, exactly as an outside team's page would call it.

const endpoint = document.body.dataset.endpoint || '/graphql';
const key = 'credithub.dashboard.session';

let session = null;
try {
  session = JSON.parse(sessionStorage.getItem(key) || 'null');
} catch {
  session = null;
}

// The session is {role, label, token}; token is "" for the public.
export function currentSession() {
  return session;
}

export function setSession(s) {
  session = s;
  if (s) sessionStorage.setItem(key, JSON.stringify(s));
  else sessionStorage.removeItem(key);
  if (wsClient) {
    wsClient.dispose();
    wsClient = null;
  }
}

function authHeaders() {
  return session && session.token ? { Authorization: 'Bearer ' + session.token } : {};
}

// gql posts a document and answers {data, errors}: data may be partial
// (a department that did not answer leaves its part null and names itself
// in errors), so callers look at both. It throws only when there is no
// answer at all.
export async function gql(query, variables = {}) {
  const resp = await fetch(endpoint, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Accept: 'application/json', ...authHeaders() },
    body: JSON.stringify({ query, variables }),
  });
  let body;
  try {
    body = await resp.json();
  } catch {
    throw new Error(`服务返回 HTTP ${resp.status}，不是 GraphQL 应答`);
  }
  if (resp.status === 401 && session && session.token) {
    // The token no longer verifies (expired, most often: development
    // tokens live an hour or a working day): back to the sign-in, saying
    // why, rather than an error box on every panel.
    signOut(expiredNotice(body.errors));
    throw new GraphQLError(body.errors ?? []);
  }
  return { data: body.data ?? null, errors: body.errors ?? [] };
}

const noticeKey = 'credithub.dashboard.notice';

function expiredNotice(errors) {
  const reason = errors && errors[0] && errors[0].extensions && errors[0].extensions.reason;
  return reason === 'expired' ? '登录已过期，请重新选择身份或粘贴新的令牌。' : `令牌未通过验证（${reason || 'UNAUTHENTICATED'}），请重新登录。`;
}

// signOut ends the session and shows the sign-in with notice.
export function signOut(notice) {
  setSession(null);
  if (notice) sessionStorage.setItem(noticeKey, notice);
  if (location.hash === '#/signin') window.dispatchEvent(new HashChangeEvent('hashchange'));
  else location.hash = '#/signin';
}

// takeNotice answers the notice signOut left, once.
export function takeNotice() {
  const n = sessionStorage.getItem(noticeKey);
  sessionStorage.removeItem(noticeKey);
  return n;
}

// must is gql for answers that are useless in part: it throws the first
// error when there is one.
export async function must(query, variables) {
  const r = await gql(query, variables);
  if (r.errors.length > 0 || !r.data) throw new GraphQLError(r.errors);
  return r.data;
}

export class GraphQLError extends Error {
  constructor(errors) {
    const e = errors[0] || { message: '没有数据' };
    const code = e.extensions && e.extensions.code;
    super((code ? code + '：' : '') + e.message);
    this.errors = errors;
    this.code = code;
  }
}

// unavailableSources names the departments the errors report as not
// having answered (extensions.code SOURCE_UNAVAILABLE, extensions.source).
export function unavailableSources(errors) {
  const out = new Set();
  for (const e of errors || []) {
    const x = e.extensions || {};
    if (x.code === 'SOURCE_UNAVAILABLE' && x.source) out.add(x.source);
  }
  return out;
}

// refused reports whether errors are only the caller's lack of a right.
export function refused(errors) {
  return errors.length > 0 && errors.every((e) => e.extensions && ['FORBIDDEN', 'UNAUTHENTICATED'].includes(e.extensions.code));
}

let wsClient = null;

function client() {
  if (!wsClient) {
    const url = new URL(endpoint, location.href);
    url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
    wsClient = graphqlWs.createClient({
      url: url.href,
      lazy: true,
      retryAttempts: 20,
      // Browsers cannot set headers on a WebSocket: the token goes in
      // connection_init, as the hub expects.
      connectionParams: () => authHeaders(),
    });
  }
  return wsClient;
}

// subscribe runs a subscription and calls onData with each event's data;
// it returns the function that ends it.
export function subscribe(query, variables, onData, onError) {
  return client().subscribe(
    { query, variables },
    {
      next: (msg) => {
        if (msg.errors && msg.errors.length) onError && onError(new GraphQLError(msg.errors));
        if (msg.data) onData(msg.data);
      },
      error: (err) => onError && onError(err instanceof Error ? err : new Error(describeClose(err))),
      complete: () => {},
    },
  );
}

function describeClose(e) {
  if (e && typeof e.code === 'number') return `订阅连接关闭（${e.code} ${e.reason || ''}）`;
  if (Array.isArray(e)) return new GraphQLError(e).message;
  return '订阅连接失败';
}
