// Parse a Mermaid diagram (stdin) with Mermaid's own parser and print what it found as JSON:
//   {"type": ..., "vertices": [{id, text}], "edges": [{start, end, text}], "subgraphs": [{id, title, nodes}]}
// Exit 1 with the parser's message on stderr when it does not parse. Mermaid expects a DOM: jsdom gives it one.
// Run from .cache/mermaid (make mermaid), where its node_modules are.
import { readFileSync } from 'node:fs';
import { JSDOM } from 'jsdom';

const dom = new JSDOM('<!doctype html><html><body></body></html>');
globalThis.window = dom.window;
globalThis.document = dom.window.document;
const { default: mermaid } = await import('mermaid');
mermaid.initialize({ startOnLoad: false });

const text = readFileSync(0, 'utf8');
try {
  const diagram = await mermaid.mermaidAPI.getDiagramFromText(text);
  const db = diagram.db;
  const found = { type: diagram.type, vertices: [], edges: [], subgraphs: [] };
  if (db.getVertices) {
    found.vertices = [...db.getVertices().values()].map((v) => ({ id: v.id, text: v.text }));
    found.edges = db.getEdges().map((e) => ({ start: e.start, end: e.end, text: e.text }));
    found.subgraphs = db.getSubGraphs().map((s) => ({ id: s.id, title: s.title, nodes: s.nodes }));
  }
  process.stdout.write(JSON.stringify(found));
} catch (error) {
  process.stderr.write(`${error?.message ?? error}\n`);
  process.exit(1);
}
