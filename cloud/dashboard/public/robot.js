// One robot: live map, telemetry charts, events (newest first) and command buttons. The stream is opened
// before the history is read, and live messages that arrive meanwhile are held, so nothing falls between.
import { apiFetch, openStream } from './api.js';
import { TelemetryCharts } from './charts.js';
import { ago, clock, el, percent } from './dom.js';
import { MapCanvas } from './map-canvas.js';

const COMMANDS = [
  { name: 'start', label: 'Start' },
  { name: 'pause', label: 'Pause' },
  { name: 'resume', label: 'Resume' },
  { name: 'return', label: 'Return to dock' },
];
// 15 min of 10 Hz state fits the telemetry route's 10000-row limit.
const HISTORY_S = 900;
const MAX_TRAIL = 5000;
const MAX_EVENTS = 300;

export function robotPage(main, robotId, role, setLinkState) {
  const canOperate = role === 'operator' || role === 'admin';
  const title = el('h2', {}, robotId);
  const link = el('span', { class: 'pill offline', id: 'robot-online' }, 'offline');
  const facts = {
    mission: el('dd', { id: 'robot-mission' }, '—'),
    battery: el('dd', { id: 'robot-battery' }, '—'),
    coverage: el('dd', { id: 'robot-coverage' }, '—'),
    speed: el('dd', {}, '—'),
    seen: el('dd', { id: 'robot-seen' }, 'never'),
    version: el('dd', {}, '—'),
  };
  const canvas = el('canvas', { id: 'map-canvas', class: 'map', 'aria-label': 'live map' });
  const result = el('p', { id: 'command-result', class: 'command-result', role: 'status' });
  const buttons = COMMANDS.map((c) =>
    el(
      'button',
      {
        type: 'button',
        class: 'command',
        dataset: { command: c.name },
        disabled: !canOperate,
        title: canOperate ? `send "${c.name}"` : 'needs an operator token',
        onclick: () => send(c.name),
      },
      c.label,
    ),
  );
  const events = el('ol', { id: 'events', class: 'events' });
  const charts = el('div', { id: 'charts', class: 'charts', dataset: { points: '0' } });

  main.append(
    el('div', { class: 'robot-head' }, title, link),
    el(
      'div',
      { class: 'robot-grid' },
      el(
        'section',
        { class: 'card map-card' },
        el('h3', {}, 'Map'),
        canvas,
        el(
          'p',
          { class: 'legend' },
          [
            ['planned', 'planned path'],
            ['driven', 'driven'],
            ['robot', 'robot'],
            ['occupied', 'obstacle'],
            ['unknown', 'unexplored'],
          ].map(([swatch, label]) =>
            el('span', { class: 'legend-item' }, el('span', { class: `swatch ${swatch}` }), label),
          ),
        ),
      ),
      el(
        'div',
        { class: 'side' },
        el(
          'section',
          { class: 'card' },
          el('h3', {}, 'Status'),
          el(
            'dl',
            { class: 'facts' },
            el('dt', {}, 'Mission'),
            facts.mission,
            el('dt', {}, 'Battery'),
            facts.battery,
            el('dt', {}, 'Coverage'),
            facts.coverage,
            el('dt', {}, 'Speed'),
            facts.speed,
            el('dt', {}, 'Last seen'),
            facts.seen,
            el('dt', {}, 'Software'),
            facts.version,
          ),
        ),
        el(
          'section',
          { class: 'card' },
          el('h3', {}, 'Commands'),
          el('div', { class: 'commands' }, buttons),
          canOperate ? null : el('p', { class: 'muted' }, 'Viewer token: commands need an operator token.'),
          result,
        ),
        el('section', { class: 'card events-card' }, el('h3', {}, 'Events'), events),
      ),
    ),
    charts,
  );

  const map = new MapCanvas(canvas);
  map.draw();
  const chartView = new TelemetryCharts(charts);
  const trail = [];
  const seenEvents = new Set();
  let lastSeen = null;
  let historyLoaded = false;
  let held = [];

  const showSeen = () => {
    facts.seen.textContent = ago(lastSeen);
  };
  const showRobot = (r) => {
    title.textContent = r.name === r.id ? r.id : `${r.name} (${r.id})`;
    setOnline(r.online);
    lastSeen = r.lastSeen;
    showSeen();
    facts.version.textContent = r.status ? `${r.status.version} · ${r.status.firmware}` : '—';
  };
  const setOnline = (online) => {
    link.textContent = online ? 'online' : 'offline';
    link.className = `pill ${online ? 'online' : 'offline'}`;
  };
  const showState = (s) => {
    facts.mission.textContent = s.missionState;
    facts.battery.textContent = `${percent(s.batteryPercent)} · ${s.batteryVoltage.toFixed(1)} V`;
    facts.coverage.textContent = percent(s.coverage * 100, 1);
    facts.speed.textContent = `${s.linearSpeed.toFixed(2)} m/s · ${s.angularSpeed.toFixed(2)} rad/s`;
  };
  const addStates = (states) => {
    const fresh = states.filter((s) => s.pose && s.batteryPercent !== null);
    if (fresh.length === 0) return;
    for (const s of fresh) trail.push({ x: s.pose.x, y: s.pose.y });
    if (trail.length > MAX_TRAIL) trail.splice(0, trail.length - MAX_TRAIL);
    const last = fresh[fresh.length - 1];
    showState(last);
    map.setTrail(trail, last.pose, last.time);
    chartView.add(fresh);
  };
  const addEvents = (list) => {
    for (const e of list) {
      const key = `${e.bootId}:${e.seq}`;
      if (seenEvents.has(key)) continue;
      seenEvents.add(key);
      events.prepend(
        el(
          'li',
          { class: `event level-${e.level}` },
          el('time', {}, clock(e.time)),
          el('span', { class: 'level' }, e.level),
          el('span', { class: 'type' }, e.type),
          el('span', { class: 'message' }, e.message),
        ),
      );
    }
    while (events.children.length > MAX_EVENTS) events.lastElementChild.remove();
  };

  const handle = (name, data) => {
    if (name === 'hello') {
      if (data.robot) {
        showRobot(data.robot);
        if (data.robot.state) showState(data.robot.state);
      }
      if (data.map) map.setView(data.map);
    } else if (name === 'status') {
      setOnline(data.online);
      lastSeen = Math.max(lastSeen ?? 0, data.lastSeen);
      facts.version.textContent = `${data.status.version} · ${data.status.firmware}`;
    } else if (name === 'state') {
      lastSeen = Math.max(lastSeen ?? 0, data.receivedAt);
      addStates([data]);
    } else if (name === 'event') {
      addEvents([data]);
    } else if (name === 'map') {
      map.setView(data);
    }
  };
  const stream = openStream(
    robotId,
    (name, data) => {
      if (!historyLoaded && (name === 'state' || name === 'event')) held.push([name, data]);
      else handle(name, data);
    },
    setLinkState,
  );

  const from = Date.now() / 1000 - HISTORY_S;
  const id = encodeURIComponent(robotId);
  Promise.all([
    apiFetch(`/api/robots/${id}/telemetry?stream=state&from=${from}&limit=10000`),
    apiFetch(`/api/robots/${id}/events?from=${from}&limit=10000`),
  ])
    .then(([telemetry, history]) => {
      addStates(telemetry.samples);
      addEvents(history.events);
    })
    .catch((err) => {
      result.textContent = `history not loaded: ${err.message}`;
      result.className = 'command-result error';
    })
    .finally(() => {
      historyLoaded = true;
      for (const [name, data] of held) handle(name, data);
      held = [];
    });

  async function send(name) {
    for (const b of buttons) b.disabled = true;
    result.className = 'command-result pending';
    result.textContent = `${name}: sent, waiting for the robot…`;
    try {
      const { reply } = await apiFetch(`/api/robots/${id}/commands`, { method: 'POST', body: { name } });
      result.className = `command-result ${reply.ok ? 'ok' : 'error'}`;
      result.textContent = reply.ok
        ? `${name}: ok${reply.state ? ` — mission ${reply.state}` : ''}`
        : `${name}: refused — ${reply.error ?? 'no reason given'}`;
    } catch (err) {
      result.className = 'command-result error';
      result.textContent = `${name}: ${err.message}`;
    } finally {
      for (const b of buttons) b.disabled = !canOperate;
    }
  }

  const ticker = setInterval(showSeen, 1000);
  const onResize = () => map.redraw();
  window.addEventListener('resize', onResize);
  return () => {
    stream.close();
    clearInterval(ticker);
    window.removeEventListener('resize', onResize);
    chartView.destroy();
  };
}
