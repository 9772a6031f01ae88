// bench/slowloris/trickle.mjs PORT CONNECTIONS SECONDS [MODE] - slow clients against fitcheckd on PORT:
// CONNECTIONS sockets spread over the addresses 127.0.0.2-127.0.0.9, each sending its request one
// byte a second (MODE headers: a request line and a header that never ends; body: whole headers and
// a Content-Length of 1 MB, then the body one byte a second). A socket the server closes is
// replaced at once, so the server holds CONNECTIONS slow clients all along. Prints one JSON line:
// connections opened, closed by the server, and how long the closed ones lived (p50, max).
import net from 'node:net';

const [port, n, secs, mode = 'headers'] = [Number(process.argv[2]), Number(process.argv[3]), Number(process.argv[4]), process.argv[5]];
const end = Date.now() + secs * 1000;
const lived = [];
let opened = 0;
let refused = 0;

function open(i) {
  if (Date.now() >= end) return;
  const started = Date.now();
  const s = net.connect({ host: '127.0.0.1', port, localAddress: `127.0.0.${2 + (i % 8)}` });
  opened++;
  let timer = null;
  s.on('connect', () => {
    const text = mode === 'body'
      ? 'POST /v1/preflight HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 1000000\r\n\r\n'
      : 'GET /healthz HTTP/1.1\r\nHost: x\r\nX-Slow: ';
    s.write(text); // then one byte a second: of the header that never ends, or of the body
    timer = setInterval(() => s.write(mode === 'body' ? ' ' : 'a'), 1000);
  });
  s.on('error', () => {});
  s.on('close', () => {
    clearInterval(timer);
    if (Date.now() < end) {
      lived.push(Date.now() - started);
      if (Date.now() - started < 100) refused++;
      setTimeout(() => open(i), 10);
    }
  });
  setTimeout(() => s.destroy(), Math.max(0, end - Date.now()));
}

for (let i = 0; i < n; i++) open(i);
setTimeout(() => {
  lived.sort((a, b) => a - b);
  console.log(JSON.stringify({ mode, connections: n, opened, closed_by_server: lived.length, refused_at_once: refused,
    lived_p50_ms: lived[Math.floor(lived.length / 2)] ?? null, lived_max_ms: lived[lived.length - 1] ?? null }));
  process.exit(0);
}, secs * 1000 + 200);
