// Gives a process started with child_process.fork the `process.parentPort` that an Electron utility
// process has, carried over Node's IPC channel. Ports cannot be transferred this way, so a test
// with this harness checks start-up and messages to main, not window connections.
process.parentPort = {
  on(event, listener) {
    if (event === 'message') process.on('message', (data) => listener({ data, ports: [] }));
    return this;
  },
  postMessage(message) {
    process.send?.(message);
  },
};
