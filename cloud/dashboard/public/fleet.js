// The fleet list: every robot with its online state, last message, mission state, battery and coverage,
// from the fleet stream's hello and then its status and state messages.
import { apiFetch, openStream } from './api.js';
import { ago, el, percent } from './dom.js';

export function fleetPage(main, setLinkState) {
  const robots = new Map();
  const body = el('tbody');
  const empty = el('p', { class: 'muted', hidden: true }, 'No robots registered yet.');
  main.append(
    el(
      'section',
      { class: 'card' },
      el('h2', {}, 'Fleet'),
      el(
        'table',
        { class: 'fleet', id: 'fleet-table' },
        el(
          'thead',
          {},
          el(
            'tr',
            {},
            ['Robot', 'Link', 'Last seen', 'Mission', 'Battery', 'Coverage'].map((h) => el('th', {}, h)),
          ),
        ),
        body,
      ),
      empty,
    ),
  );

  let pending = false;
  const render = () => {
    if (pending) return;
    pending = true;
    requestAnimationFrame(() => {
      pending = false;
      body.replaceChildren(...[...robots.values()].map(row));
      empty.hidden = robots.size > 0;
    });
  };
  const row = (r) =>
    el(
      'tr',
      { dataset: { robot: r.id } },
      el(
        'td',
        { 'data-label': 'Robot' },
        el('a', { href: `#/robot/${encodeURIComponent(r.id)}` }, r.name),
        r.name !== r.id ? el('span', { class: 'muted' }, ` ${r.id}`) : null,
      ),
      el(
        'td',
        { 'data-label': 'Link' },
        el('span', { class: `pill ${r.online ? 'online' : 'offline'}` }, r.online ? 'online' : 'offline'),
      ),
      el(
        'td',
        { 'data-label': 'Last seen', class: 'last-seen', dataset: { t: r.lastSeen ?? '' } },
        ago(r.lastSeen),
      ),
      el('td', { 'data-label': 'Mission' }, r.state?.missionState ?? '—'),
      el('td', { 'data-label': 'Battery' }, percent(r.state?.batteryPercent)),
      el('td', { 'data-label': 'Coverage' }, percent(r.state ? r.state.coverage * 100 : null)),
    );

  // A robot registered after the hello: fetch its row once, then it updates like the others.
  const fetching = new Set();
  const addRobot = (robotId) => {
    if (fetching.has(robotId)) return;
    fetching.add(robotId);
    apiFetch(`/api/robots/${encodeURIComponent(robotId)}`)
      .then((r) => {
        if (!robots.has(r.id)) robots.set(r.id, { ...r, state: null });
        render();
      })
      .catch(() => {})
      .finally(() => fetching.delete(robotId));
  };

  const stream = openStream(
    null,
    (name, data) => {
      if (name === 'hello') {
        robots.clear();
        for (const r of data.robots) robots.set(r.id, r);
      } else if (name === 'status') {
        const r = robots.get(data.robotId);
        if (!r) return addRobot(data.robotId);
        r.online = data.online;
        r.status = data.status;
        r.lastSeen = Math.max(r.lastSeen ?? 0, data.lastSeen);
      } else if (name === 'state') {
        const r = robots.get(data.robotId);
        if (!r) return addRobot(data.robotId);
        r.state = data;
        r.lastSeen = Math.max(r.lastSeen ?? 0, data.receivedAt);
      } else return;
      render();
    },
    setLinkState,
  );
  const ticker = setInterval(() => {
    for (const cell of body.querySelectorAll('.last-seen'))
      cell.textContent = ago(cell.dataset.t === '' ? null : Number(cell.dataset.t));
  }, 1000);
  return () => {
    stream.close();
    clearInterval(ticker);
  };
}
