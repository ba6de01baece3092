// The dashboard's shell: sign-in, the hash routes and the header. Each page
// is a module with render(view, params) that may return a cleanup
// function (subscriptions, charts).
import { currentSession, setSession, takeNotice } from './api.js';
import { h, errorBox } from './ui.js';
import * as overview from './overview.js';
import * as worklists from './worklists.js';
import * as entity from './entity.js';

const view = document.getElementById('view');
const devSignIn = document.body.dataset.devSignIn === 'true';

const routes = {
  overview: (el, p) => overview.render(el, p),
  worklists: (el, p) => worklists.render(el, p),
  entities: (el, p) => entity.renderSearch(el, p),
  entity: (el, p) => entity.renderProfile(el, p),
  signin: () => renderSignIn(),
};

let cleanup = null;

async function route() {
  if (cleanup) {
    try {
      cleanup();
    } catch {
      /* a page's cleanup never stops the next page */
    }
    cleanup = null;
  }
  const [name, ...params] = location.hash.replace(/^#\/?/, '').split('/').map(decodeURIComponent);
  const page = routes[name] ? name : 'overview';
  const signedIn = currentSession() !== null;
  renderWho();
  for (const a of document.querySelectorAll('#nav a')) a.classList.toggle('active', a.dataset.route === page || (page === 'entity' && a.dataset.route === 'entities'));
  view.replaceChildren();
  if (!signedIn && page !== 'signin') {
    renderSignIn();
    return;
  }
  view.dataset.page = page;
  // Each visit renders into a container of its own: a page still waiting
  // for its answer when another route starts fills a detached container,
  // never the new page.
  const container = h('div', { class: 'page', 'data-page': page });
  view.append(container);
  try {
    const done = (await routes[page](container, params)) || null;
    if (container.isConnected) cleanup = done;
    else if (done) done();
  } catch (err) {
    container.append(errorBox(err));
  }
}

function renderWho() {
  const who = document.getElementById('who');
  const s = currentSession();
  who.replaceChildren(
    s ? h('span', { id: 'role', 'data-role': s.role }, '当前身份：' + s.label) : h('span', {}, '未登录'),
    s ? h('button', { type: 'button', id: 'sign-out', onclick: () => { setSession(null); if (location.hash === '#/signin') route(); else location.hash = '#/signin'; } }, '切换身份') : null,
  );
}

// renderSignIn offers the roles of the development sign-in when the hub
// serves it (`credithub dev`), and otherwise asks for a bearer token from
// the deployment's identity provider.
async function renderSignIn() {
  view.dataset.page = 'signin';
  const card = h('section', { class: 'card signin' }, h('h2', {}, '选择身份'));
  const notice = takeNotice();
  if (notice) card.append(h('p', { id: 'signin-notice', class: 'warn', role: 'alert' }, notice));
  view.replaceChildren(card);
  const go = (s) => {
    setSession(s);
    // A new hash routes by its hashchange; the same one does not.
    if (location.hash === '#/overview') route();
    else location.hash = '#/overview';
  };
  if (devSignIn) {
    card.append(h('p', { class: 'note' }, '开发环境：选择一个角色，由本机的开发服务签发开发令牌（仅 credithub dev 提供，生产环境不存在）。'));
    try {
      const resp = await fetch('/dev/token');
      const { roles } = await resp.json();
      const list = h('div', { class: 'roles' });
      for (const r of roles) {
        list.append(
          h('button', {
            type: 'button', class: 'role', 'data-role': r.code,
            onclick: async () => {
              const resp = await fetch('/dev/token', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ role: r.code }) });
              const body = await resp.json();
              if (!resp.ok) {
                card.append(errorBox(body.error || `HTTP ${resp.status}`));
                return;
              }
              go({ role: r.code, label: r.label, token: body.token });
            },
          }, h('strong', {}, r.label), h('small', {}, r.scopes && r.scopes.length ? r.scopes.join(' ') : '无令牌，仅公开信息')),
        );
      }
      card.append(list);
    } catch (err) {
      card.append(errorBox(err));
    }
    return;
  }
  const input = h('textarea', { id: 'token', rows: 4, placeholder: 'eyJhbGciOi…', autocomplete: 'off', spellcheck: 'false' });
  card.append(
    h('p', { class: 'note' }, '请粘贴本单位统一身份认证平台签发的访问令牌（Bearer token）。令牌只保存在本浏览器标签页中，关闭即清除。'),
    input,
    h('div', { class: 'actions' },
      h('button', { type: 'button', id: 'use-token', onclick: () => {
        const t = input.value.trim().replace(/^Bearer\s+/i, '');
        if (t) go({ role: 'token', label: '令牌登录', token: t });
      } }, '使用此令牌'),
      h('button', { type: 'button', class: 'secondary', onclick: () => go({ role: 'public', label: '社会公众', token: '' }) }, '以社会公众身份浏览'),
    ),
  );
}

window.addEventListener('hashchange', route);
route();
