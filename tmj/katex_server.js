// Long-lived KaTeX renderer. Reads one JSON request per line on stdin:
//   {"id": 1, "tex": "\\frac{a}{b}", "display": false}
// and writes one JSON reply per line on stdout:
//   {"id": 1, "html": "<span class=\"katex\">…"}   or   {"id": 1, "error": "…"}
// Any KaTeX warning (strict mode) is reported as an error, so the build fails instead of shipping a guess.
'use strict';
const katex = require('katex');
const readline = require('readline');

const macros = {};  // shared across requests, so \gdef in one formula is visible later on the same page only if wanted

function render(req) {
  const warnings = [];
  const html = katex.renderToString(req.tex, {
    displayMode: !!req.display,
    throwOnError: true,
    output: 'htmlAndMathml',
    macros: Object.assign({}, req.macros || {}),
    strict: (errorCode, message) => {
      warnings.push(`${errorCode}: ${message}`);
      return 'ignore';
    },
    trust: false,
  });
  if (warnings.length) {
    throw new Error('KaTeX warning: ' + warnings.join('; '));
  }
  return html;
}

const rl = readline.createInterface({ input: process.stdin, terminal: false });
rl.on('line', (line) => {
  if (!line.trim()) return;
  let req;
  try {
    req = JSON.parse(line);
  } catch (e) {
    process.stdout.write(JSON.stringify({ id: null, error: 'bad request: ' + e.message }) + '\n');
    return;
  }
  let reply;
  try {
    reply = { id: req.id, html: render(req) };
  } catch (e) {
    reply = { id: req.id, error: String(e && e.message ? e.message : e) };
  }
  process.stdout.write(JSON.stringify(reply) + '\n');
});
rl.on('close', () => process.exit(0));
