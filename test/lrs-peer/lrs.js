// An independent xAPI LRS for the forwarding tests: Learning Locker's
// statement service, run with no MongoDB or Redis. Its models live in its
// memory repository; this wrapper loads that memory from LRS_STATE at start
// and writes it back after every change, so the LRS can be stopped and
// started again over the same storage. It listens on LRS_PORT (or a free
// port) and prints "listening http://127.0.0.1:PORT/xAPI" once ready; with
// LRS_GATEWAY_PORT set, an OAuth2 gateway (gateway.js) stands in front of
// it and the URL printed is the gateway's.
'use strict';
const fs = require('fs');
const net = require('net');

const statePath = process.env.LRS_STATE || '';

function revive(state) {
  // Dates went to JSON as strings; the repository compares them as Dates.
  for (const s of state.statements || []) {
    for (const k of ['stored', 'timestamp']) {
      if (typeof s[k] === 'string') s[k] = new Date(s[k]);
    }
  }
  return state;
}

function patchMemory() {
  const facade = require('xapi-statements/dist/repo/modelsRepo/utils/memoryModels/facade');
  const original = facade.default;
  facade.default = function (config) {
    if (statePath && fs.existsSync(statePath)) {
      Object.assign(config.state, revive(JSON.parse(fs.readFileSync(statePath, 'utf8'))));
    }
    const repo = original(config);
    if (!statePath) return repo;
    const save = () => {
      const tmp = statePath + '.tmp';
      fs.writeFileSync(tmp, JSON.stringify(config.state));
      fs.renameSync(tmp, statePath);
    };
    for (const [name, fn] of Object.entries(repo)) {
      if (typeof fn !== 'function') continue;
      repo[name] = async function (...args) {
        const out = await fn.apply(this, args);
        save();
        return out;
      };
    }
    return repo;
  };
}

function freePort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.on('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

async function main() {
  const port = Number(process.env.LRS_PORT) || (await freePort());
  Object.assign(process.env, {
    EXPRESS_PORT: String(port),
    AUTH_REPO: 'test', // accepts any credentials: Sakimori's side is what is tested
    EVENTS_REPO: 'test',
    MODELS_REPO: 'memory',
    STORAGE_REPO: 'local',
    FS_LOCAL_STORAGE_DIR: process.env.LRS_FILES || require('os').tmpdir(),
    EXPRESS_MORGAN_DIRECTORY: process.env.LRS_FILES || require('os').tmpdir(),
    WINSTON_CONSOLE_LEVEL: 'error',
    AWS_SDK_JS_SUPPRESS_MAINTENANCE_MODE_MESSAGE: '1', // the SDK is loaded, never used
  });
  patchMemory();
  require('xapi-statements/dist/server');
  // The service logs when it listens, not to stdout in a form we can
  // rely on: wait until the port answers /about.
  for (;;) {
    try {
      const r = await fetch(`http://127.0.0.1:${port}/xAPI/about`);
      if (r.ok) break;
    } catch {
      // not yet
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  if (process.env.LRS_GATEWAY_PORT !== undefined) {
    const { startGateway } = require('./gateway');
    const gw = await startGateway({
      port: Number(process.env.LRS_GATEWAY_PORT) || 0,
      lrsPort: port,
      clientID: process.env.LRS_CLIENT_ID || 'sakimori',
      clientSecret: process.env.LRS_CLIENT_SECRET || 's3cret',
      announce: (process.env.LRS_ANNOUNCE || '').split(',').filter(Boolean),
    });
    process.stdout.write(`listening http://127.0.0.1:${gw}/xAPI\n`);
    return;
  }
  process.stdout.write(`listening http://127.0.0.1:${port}/xAPI\n`);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
