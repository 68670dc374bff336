// How a WHATWG URL parser reads each URI: the reading the TypeScript SDK server looks resources up under
// (new URL(uri).href). Reads a file of JSON strings, one per line (argv[2]); prints one JSON line per URI: its href, or
// null when the parser refuses it. Used by ResourceUriReadingsTest.
import { readFileSync } from 'node:fs';

const lines = readFileSync(process.argv[2], 'utf8').split('\n').filter((l) => l.length > 0);
const out = [];
for (const line of lines) {
  const uri = JSON.parse(line);
  let href = null;
  try {
    href = new URL(uri).href;
  } catch {
    href = null;
  }
  out.push(JSON.stringify(href));
}
process.stdout.write(out.join('\n') + '\n');
