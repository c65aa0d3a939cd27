// json-rules-engine side of benches/peers/run.sh (issue #5).
//
//   node jre.js EVENTS.jsonl N [WARMUP]
//
// One Engine with N rules; rule i: all of { channel equal CHANNELS[i % 4],
// tags contains "ti", status in ["new", "open"] }, event {type: "hit"}.
// Reads the events written by benches/peers_workload.rs (one {"channel","status","tags"}
// object a line), runs WARMUP of them untimed (JIT warm-up), then times
// `await engine.run(facts)` for every event in sequence and prints
//   JRE triggers=N events=COUNT us_per_event=… fired=…
// (fired = rule events emitted over the timed pass, to cross-check the matching) and
// p50_us, the median time of one run() (the mean is sensitive to a busy machine).
'use strict';
const fs = require('fs');
const { Engine } = require('json-rules-engine');

const CHANNELS = ['whatsapp', 'email', 'web', 'messenger'];

async function main() {
  const [file, nArg, warmArg] = process.argv.slice(2);
  const n = Number(nArg);
  if (!file || !Number.isInteger(n) || n <= 0) {
    console.error('usage: node jre.js EVENTS.jsonl N [WARMUP]');
    process.exit(2);
  }
  const events = fs.readFileSync(file, 'utf8').split('\n').filter((l) => l.trim() !== '').map((l) => JSON.parse(l));
  const warmup = Math.min(events.length, warmArg === undefined ? 100 : Number(warmArg));

  const engine = new Engine([], { allowUndefinedFacts: true });
  for (let i = 0; i < n; i++) {
    engine.addRule({
      name: `t${i}`,
      conditions: {
        all: [
          { fact: 'channel', operator: 'equal', value: CHANNELS[i % 4] },
          { fact: 'tags', operator: 'contains', value: `t${i}` },
          { fact: 'status', operator: 'in', value: ['new', 'open'] },
        ],
      },
      event: { type: 'hit', params: { trigger: `t${i}` } },
    });
  }

  for (let i = 0; i < warmup; i++) {
    await engine.run(events[i]);
  }
  let fired = 0;
  const each = new Float64Array(events.length);
  const start = process.hrtime.bigint();
  let prev = start;
  for (let i = 0; i < events.length; i++) {
    const { events: out } = await engine.run(events[i]);
    fired += out.length;
    const now = process.hrtime.bigint();
    each[i] = Number(now - prev) / 1e3;
    prev = now;
  }
  const ns = Number(prev - start);
  const us = ns / 1e3 / events.length;
  each.sort();
  const p50 = each[Math.floor(each.length / 2)];
  console.log(
    `JRE triggers=${n} events=${events.length} us_per_event=${us.toFixed(3)} fired=${fired} ` +
      `warmup=${warmup} p50_us=${p50.toFixed(3)}`,
  );
}

main().catch((e) => {
  console.error(`jre.js: ${e && e.stack ? e.stack : e}`);
  process.exit(1);
});
