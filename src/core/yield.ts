/**
 * `yieldToEventLoop()`: lets pending events run (Ctrl-C, an abort signal, a UI repaint). A training loop
 * that never awaits anything must `await yieldToEventLoop()` now and then, e.g. once per log step, or its
 * abort signal is never delivered. Browser-safe (no Node-only API): a `MessageChannel` message is a
 * macrotask that runs in ~50 µs, where `setTimeout(0)` waits ≥ 1 ms in Node and ≥ 4 ms once nested in browsers.
 */
export function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => {
    const { port1, port2 } = new MessageChannel();
    port1.onmessage = () => {
      port1.close(); // an open port would keep Node's event loop alive
      resolve();
    };
    port2.postMessage(null);
  });
}
