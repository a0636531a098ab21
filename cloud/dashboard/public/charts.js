// Telemetry charts (uPlot): battery, coverage and speeds over robot time. History first, then live points
// appended; each chart keeps at most MAX_POINTS (the oldest go).
import uPlot from '/vendor/uPlot.esm.js';

const MAX_POINTS = 5000;

const CHARTS = [
  {
    title: 'Battery',
    series: [{ label: 'battery %', stroke: '#16a34a', value: (s) => s.batteryPercent }],
    range: [0, 100],
  },
  {
    title: 'Coverage',
    series: [{ label: 'coverage %', stroke: '#2563eb', value: (s) => s.coverage * 100 }],
    range: [0, 100],
  },
  {
    title: 'Speed',
    series: [
      { label: 'linear m/s', stroke: '#f59e0b', value: (s) => s.linearSpeed },
      { label: 'angular rad/s', stroke: '#9333ea', value: (s) => s.angularSpeed },
    ],
    range: null,
  },
];

export class TelemetryCharts {
  constructor(container) {
    this.container = container;
    this.lastTime = -Infinity;
    this.keysAtLastTime = new Set();
    this.charts = CHARTS.map((spec) => {
      const box = document.createElement('section');
      box.className = 'chart card';
      const heading = document.createElement('h3');
      heading.textContent = spec.title;
      box.append(heading);
      container.append(box);
      const data = [[], ...spec.series.map(() => [])];
      const plot = new uPlot(
        {
          width: this.chartWidth(box),
          height: 170,
          legend: { live: false },
          cursor: { drag: { x: false, y: false } },
          scales: { x: { time: true }, ...(spec.range ? { y: { range: spec.range } } : {}) },
          series: [
            {},
            ...spec.series.map((s) => ({ label: s.label, stroke: s.stroke, width: 2, spanGaps: true })),
          ],
          axes: [{}, { size: 46 }],
        },
        data,
        box,
      );
      return { spec, box, plot, data };
    });
    this.onResize = () => {
      for (const c of this.charts) c.plot.setSize({ width: this.chartWidth(c.box), height: 170 });
    };
    window.addEventListener('resize', this.onResize);
  }

  chartWidth(box) {
    return Math.max(200, box.clientWidth - 24);
  }

  /**
   * Adds state samples (sorted by time). Older ones than the last point, and repeats (the same boot and
   * seq: history and the live stream overlap), are skipped.
   */
  add(samples) {
    let added = 0;
    for (const s of samples) {
      if (s.time < this.lastTime || s.batteryPercent === null || s.batteryPercent === undefined) continue;
      const key = s.seq === null ? `avg:${s.time}` : `${s.bootId}:${s.seq}`;
      if (s.time === this.lastTime && this.keysAtLastTime.has(key)) continue;
      if (s.time > this.lastTime) this.keysAtLastTime.clear();
      this.lastTime = s.time;
      this.keysAtLastTime.add(key);
      added++;
      for (const c of this.charts) {
        c.data[0].push(s.time);
        c.spec.series.forEach((series, i) => c.data[i + 1].push(series.value(s)));
        if (c.data[0].length > MAX_POINTS) for (const column of c.data) column.shift();
      }
    }
    if (added === 0) return;
    for (const c of this.charts) c.plot.setData(c.data);
    this.container.dataset.points = String(this.charts[0].data[0].length);
  }

  destroy() {
    window.removeEventListener('resize', this.onResize);
    for (const c of this.charts) c.plot.destroy();
  }
}
