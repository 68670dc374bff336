// Review AF: renders the admin page's approvals table (gateway/src/main/resources/admin-ui/app.js) with a minimal DOM,
// for one pending approval given as JSON in argv[3], and prints the text an approver reads in each cell (JSON lines).
'use strict';
const fs = require('fs');
const vm = require('vm');
const src = fs.readFileSync(process.argv[2], 'utf8');
const approval = JSON.parse(process.argv[3]);

class FakeNode {
  constructor(tag) { this.tag = tag; this.children = []; this.style = {}; this.attrs = {}; this.className = ''; }
  append(...c) { this.children.push(...c); }
  replaceChildren() { this.children = []; }
  setAttribute(k, v) { this.attrs[k] = v; }
  addEventListener() {}
  get text() { return this.children.map(c => c.text).join(''); }
  set textContent(t) { this.children = [new FakeText(String(t))]; }
  get textContent() { return this.text; }
}
class FakeText extends FakeNode {
  constructor(t) { super('#text'); this.data = t; }
  get text() { return this.data; }
}
const nodes = {};
const node = key => nodes[key] || (nodes[key] = new FakeNode(key));
const sandbox = {
  Node: FakeNode,
  document: { createElement: t => new FakeNode(t), createTextNode: t => new FakeText(t), getElementById: node, querySelector: node },
  location: { hash: '' },
  sessionStorage: { getItem: () => 'token', setItem() {} },
  URLSearchParams,
  setInterval() {},
  console,
  fetch: async path => ({ status: 200, json: async () => path.startsWith('/approvals') ? { pending: [approval] }
      : path.startsWith('/admin/routes') ? { config_hash: 'sha256:0', routes: [] } : { latest: 0, decisions: [] } }),
};
vm.createContext(sandbox);
vm.runInContext(src + '\n;globalThis.__loadApprovals = loadApprovals;', sandbox);
sandbox.__loadApprovals().then(() => {
  const row = node('#approvals tbody').children[0];
  for (const cell of row.children) {
    console.log(JSON.stringify(cell.text));
  }
});
