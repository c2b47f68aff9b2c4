/**
 * A client that stops reading is dropped once its socket holds more than the channel's
 * bound, on a real HTTP server and real sockets; a client that reads gets every event and
 * stays connected.
 */
import assert from 'node:assert/strict';
import { createServer, request } from 'node:http';
import { connect, type AddressInfo } from 'node:net';
import { test } from 'node:test';
import { event, SseChannel } from '../../src/serve/sse.js';

test('a slow SSE client is dropped past the buffer bound; a reading client gets every event', async () => {
  let emptied = 0;
  const channel = new SseChannel(() => emptied++);
  const server = createServer((_req, res) => channel.add(res, []));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  try {
    // The slow client: sends its request, then never reads a byte.
    const slow = connect(port, '127.0.0.1');
    slow.write(`GET / HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\n\r\n`);
    slow.pause();
    let slowClosed = false;
    slow.on('close', () => (slowClosed = true));
    slow.on('error', () => {});

    // The reading client counts the events it receives.
    const payload = 'x'.repeat(256 * 1024);
    const events = 80; // 20 MB in all, far past the 4 MB bound plus the kernel's buffers
    let received = 0;
    let fast = '';
    const fastDone = new Promise<void>((resolve, reject) => {
      request({ port, host: '127.0.0.1', path: '/' }, (res) => {
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => {
          fast += chunk;
          let i: number;
          while ((i = fast.indexOf('\n\n')) >= 0) {
            if (fast.startsWith('event: tick')) received++;
            fast = fast.slice(i + 2);
          }
          if (received === events) resolve();
        });
      })
        .on('error', reject)
        .end();
    });
    while (channel.size < 2) await new Promise((r) => setTimeout(r, 10));

    for (let k = 0; k < events; k++) {
      channel.send(event('tick', { k, payload }));
      await new Promise((r) => setTimeout(r, 5));
    }
    await fastDone;

    assert.equal(received, events, 'the reading client missed events');
    assert.equal(channel.dropped, 1, 'exactly the slow client is dropped');
    assert.equal(channel.size, 1, 'the reading client stays connected');
    // Reading again, the slow client finds its stream ended by the server.
    slow.resume();
    for (let i = 0; i < 250 && !slowClosed; i++) await new Promise((r) => setTimeout(r, 20));
    assert.ok(slowClosed, "the server did not close the slow client's stream");
    assert.equal(emptied, 0);
    slow.destroy();
  } finally {
    channel.close();
    await new Promise((r) => server.close(r));
  }
});
