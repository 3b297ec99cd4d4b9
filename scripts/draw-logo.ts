/**
 * Draws the small picture that scenes/fit-logo.yaml learns: the project's
 * mark (a sun over waves, in the ink and sunset colours the scenes use),
 * drawn with shapes only so that it comes out the same on every machine.
 *
 *   npx tsx scripts/draw-logo.ts [out.png] [size]
 */
import { writeFileSync } from 'node:fs';
import { createCanvas } from '@napi-rs/canvas';

const out = process.argv[2] ?? 'scenes/targets/logo.png';
const size = Number(process.argv[3] ?? 128);
const canvas = createCanvas(size, size);
const c = canvas.getContext('2d');
const u = size / 128;

// Night sky, lighter towards the horizon.
const sky = c.createLinearGradient(0, 0, 0, size);
sky.addColorStop(0, '#12063b');
sky.addColorStop(0.65, '#5b1a72');
c.fillStyle = sky;
c.fillRect(0, 0, size, size);

// The sun.
const sun = c.createLinearGradient(0, 28 * u, 0, 84 * u);
sun.addColorStop(0, '#fbe38e');
sun.addColorStop(1, '#f48c3a');
c.fillStyle = sun;
c.beginPath();
c.arc(64 * u, 62 * u, 30 * u, 0, Math.PI * 2);
c.fill();

// Waves over its lower half.
c.fillStyle = '#0077b6';
c.beginPath();
c.moveTo(0, 80 * u);
for (let x = 0; x <= 128; x += 2) c.lineTo(x * u, (80 + 5 * Math.sin((x / 128) * Math.PI * 4)) * u);
c.lineTo(size, size);
c.lineTo(0, size);
c.closePath();
c.fill();
c.fillStyle = '#90e0ef';
c.beginPath();
c.moveTo(0, 100 * u);
for (let x = 0; x <= 128; x += 2) c.lineTo(x * u, (100 + 4 * Math.sin((x / 128) * Math.PI * 4 + 2)) * u);
c.lineTo(size, size);
c.lineTo(0, size);
c.closePath();
c.fill();

writeFileSync(out, canvas.encodeSync('png'));
console.log(`wrote ${out} (${size}x${size})`);
