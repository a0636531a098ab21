// The dashboard's shell: sign-in with an API token (kept in sessionStorage for this tab only), and hash
// routes: #/ the fleet, #/robot/<id> one robot.
import { apiFetch, getToken, setToken, setUnauthorizedHandler } from './api.js';
import { el } from './dom.js';
import { fleetPage } from './fleet.js';
import { robotPage } from './robot.js';

const main = document.getElementById('main');
const crumbs = document.getElementById('crumbs');
const who = document.getElementById('who');
const logout = document.getElementById('logout');
const liveState = document.getElementById('live-state');

let leavePage = () => {};
let me = null;

function setLinkState(state) {
  liveState.hidden = false;
  liveState.textContent =
    state === 'live' ? 'live' : state === 'connecting' ? 'connecting…' : 'reconnecting…';
  liveState.className = `live-state ${state}`;
}

function clearPage() {
  leavePage();
  leavePage = () => {};
  main.replaceChildren();
  liveState.hidden = true;
}

function loginPage(message) {
  clearPage();
  me = null;
  who.textContent = '';
  logout.hidden = true;
  crumbs.replaceChildren();
  const input = el('input', {
    id: 'token',
    type: 'password',
    autocomplete: 'off',
    spellcheck: 'false',
    placeholder: 'swt_…',
    required: true,
  });
  const error = el('p', { class: 'form-error', id: 'login-error', role: 'alert' }, message ?? '');
  const form = el(
    'form',
    { class: 'card login', id: 'login-form' },
    el('h2', {}, 'Sign in'),
    el('label', { for: 'token' }, 'API token'),
    input,
    el('p', { class: 'muted' }, 'Paste a viewer, operator or admin token. It stays in this tab only.'),
    el('button', { type: 'submit' }, 'Sign in'),
    error,
  );
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    const token = input.value.trim();
    try {
      await apiFetch('/api/me', { token });
      setToken(token);
      await route();
    } catch (err) {
      error.textContent = err.status === 401 ? 'That token is not valid.' : err.message;
    }
  });
  main.append(form);
  input.focus();
}

async function route() {
  if (!getToken()) return loginPage();
  if (!me) {
    try {
      me = await apiFetch('/api/me');
    } catch (err) {
      if (err.status === 401) return; // the unauthorized handler shows the login
      clearPage();
      main.append(el('p', { class: 'form-error' }, `The cloud is not reachable: ${err.message}`));
      return;
    }
  }
  who.textContent = `${me.label} · ${me.role}`;
  logout.hidden = false;
  clearPage();
  const match = /^#\/robot\/([^/]+)$/.exec(location.hash);
  if (match) {
    const robotId = decodeURIComponent(match[1]);
    crumbs.replaceChildren(el('a', { href: '#/' }, 'Fleet'), el('span', {}, ' / '), el('span', {}, robotId));
    leavePage = robotPage(main, robotId, me.role, setLinkState);
  } else {
    crumbs.replaceChildren(el('span', {}, 'Fleet'));
    leavePage = fleetPage(main, setLinkState);
  }
}

setUnauthorizedHandler((message) => {
  setToken(null);
  loginPage(`Signed out: ${message}`);
});
logout.addEventListener('click', () => {
  setToken(null);
  loginPage();
});
window.addEventListener('hashchange', () => void route());
void route();
