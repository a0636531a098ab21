// Drawing a robot's map view (see cloud/dashboard/map-view.ts) on a canvas: the occupancy classes as an
// image (row 0 at the bottom, so flipped), then the planned path, the driven trail and the robot's pose
// as an arrow. World points are drawn in the grid's frame (the inverse of the map origin's pose).

const CLASS_RGB = [
  [216, 221, 228], // unknown
  [255, 255, 255], // free
  [154, 163, 174], // uncertain
  [31, 41, 51], // occupied
  [187, 230, 197], // free floor the tool has swept
];
const PLANNED = '#2563eb';
const DRIVEN = '#f59e0b';
const ROBOT = '#dc2626';

/** The view's cells as an RGBA image, top row first. */
export function mapImage(view) {
  const { width, height, runs } = view;
  const image = new ImageData(width, height);
  const px = image.data;
  let cell = 0;
  for (let k = 0; k + 1 < runs.length; k += 2) {
    const rgb = CLASS_RGB[runs[k]] ?? CLASS_RGB[0];
    const end = Math.min(cell + runs[k + 1], width * height);
    for (; cell < end; cell++) {
      const row = height - 1 - Math.floor(cell / width);
      const o = (row * width + (cell % width)) * 4;
      px[o] = rgb[0];
      px[o + 1] = rgb[1];
      px[o + 2] = rgb[2];
      px[o + 3] = 255;
    }
  }
  return image;
}

export class MapCanvas {
  constructor(canvas) {
    this.canvas = canvas;
    this.view = null;
    this.image = null;
    this.trail = [];
    this.pose = null;
    this.poseTime = -Infinity;
    this.pending = false;
  }

  setView(view) {
    this.view = view;
    const bitmap = document.createElement('canvas');
    bitmap.width = view.width;
    bitmap.height = view.height;
    bitmap.getContext('2d').putImageData(mapImage(view), 0, 0);
    this.image = bitmap;
    this.setPose(view.pose, view.time);
    this.canvas.dataset.seq = String(view.seq);
    this.redraw();
  }

  /** The driven trail (map frame points) and the latest pose with its robot time, from state telemetry. */
  setTrail(points, pose, time) {
    this.trail = points;
    this.setPose(pose, time);
    this.redraw();
  }

  /** Snapshots and telemetry both carry a pose; the newer one is drawn, whichever arrived last. */
  setPose(pose, time) {
    if (!pose || time < this.poseTime) return;
    this.pose = pose;
    this.poseTime = time;
  }

  /** Coalesces redraws to one per animation frame. */
  redraw() {
    if (this.pending) return;
    this.pending = true;
    requestAnimationFrame(() => {
      this.pending = false;
      this.draw();
    });
  }

  draw() {
    const canvas = this.canvas;
    const dpr = window.devicePixelRatio || 1;
    if (this.view) {
      // As tall as the map's aspect needs at this width, within limits that keep the page usable.
      const fit = (canvas.clientWidth * this.view.height) / this.view.width;
      canvas.style.height = `${Math.round(Math.min(560, Math.max(220, fit + 16)))}px`;
    }
    const cssWidth = canvas.clientWidth;
    const cssHeight = canvas.clientHeight;
    canvas.width = Math.max(1, Math.round(cssWidth * dpr));
    canvas.height = Math.max(1, Math.round(cssHeight * dpr));
    const ctx = canvas.getContext('2d');
    ctx.setTransform(1, 0, 0, 1, 0, 0);
    ctx.fillStyle = '#eef1f5';
    ctx.fillRect(0, 0, canvas.width, canvas.height);
    const view = this.view;
    if (!view) {
      ctx.fillStyle = '#52606d';
      ctx.font = `${14 * dpr}px system-ui, sans-serif`;
      ctx.textAlign = 'center';
      ctx.fillText('no map yet', canvas.width / 2, canvas.height / 2);
      return;
    }
    const margin = 8 * dpr;
    const scale = Math.min(
      (canvas.width - 2 * margin) / view.width,
      (canvas.height - 2 * margin) / view.height,
    );
    const left = (canvas.width - view.width * scale) / 2;
    const top = (canvas.height - view.height * scale) / 2;
    ctx.imageSmoothingEnabled = false;
    ctx.drawImage(this.image, left, top, view.width * scale, view.height * scale);

    const { x: ox, y: oy, theta: ot } = view.origin;
    const cos = Math.cos(ot);
    const sin = Math.sin(ot);
    const toCanvas = (p) => {
      const dx = p.x - ox;
      const dy = p.y - oy;
      const gx = (cos * dx + sin * dy) / view.resolution;
      const gy = (-sin * dx + cos * dy) / view.resolution;
      return [left + gx * scale, top + (view.height - gy) * scale];
    };
    const line = (points, color, dash) => {
      if (points.length < 2) return;
      ctx.strokeStyle = color;
      ctx.lineWidth = 2 * dpr;
      ctx.lineJoin = 'round';
      ctx.setLineDash(dash.map((d) => d * dpr));
      ctx.beginPath();
      points.forEach((p, i) => {
        const [cx, cy] = toCanvas(p);
        if (i === 0) ctx.moveTo(cx, cy);
        else ctx.lineTo(cx, cy);
      });
      ctx.stroke();
      ctx.setLineDash([]);
    };
    line(view.path, PLANNED, [6, 4]);
    line(this.trail, DRIVEN, []);

    if (this.pose) {
      const [cx, cy] = toCanvas(this.pose);
      // Canvas y points down: a counter-clockwise map angle is clockwise on screen.
      const heading = -(this.pose.theta - ot);
      const size = Math.max(8 * dpr, Math.min(18 * dpr, (0.35 / view.resolution) * scale));
      ctx.save();
      ctx.translate(cx, cy);
      ctx.rotate(heading);
      ctx.fillStyle = ROBOT;
      ctx.strokeStyle = '#ffffff';
      ctx.lineWidth = 1.5 * dpr;
      ctx.beginPath();
      ctx.moveTo(size, 0);
      ctx.lineTo(-size * 0.6, size * 0.55);
      ctx.lineTo(-size * 0.3, 0);
      ctx.lineTo(-size * 0.6, -size * 0.55);
      ctx.closePath();
      ctx.fill();
      ctx.stroke();
      ctx.restore();
    }
  }
}
