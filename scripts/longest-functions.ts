// Lists the longest functions (lines from signature to closing brace) in the given folders, so the
// "no function over about 80 lines" rule can be checked: node --import tsx scripts/longest-functions.ts [N] [dirs…]
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import ts from 'typescript';

const args = process.argv.slice(2);
const top = /^\d+$/.test(args[0] ?? '') ? Number(args.shift()) : 15;
const dirs = args.length ? args : ['engine', 'hosts', 'electron', 'shared', 'renderer/src'];

function* files(dir: string): Generator<string> {
  for (const n of readdirSync(dir)) {
    const p = join(dir, n);
    if (statSync(p).isDirectory()) yield* files(p);
    else if (/\.tsx?$/.test(n) && !n.endsWith('.d.ts')) yield p;
  }
}

/** A named function-like node's name (`outer > inner` is not tracked: each function counts whole). */
function nameOf(node: ts.Node, src: ts.SourceFile): string | null {
  if (ts.isFunctionDeclaration(node) || ts.isMethodDeclaration(node)) return node.name?.getText(src) ?? '(anonymous)';
  if (ts.isConstructorDeclaration(node)) return 'constructor';
  if ((ts.isArrowFunction(node) || ts.isFunctionExpression(node)) && ts.isVariableDeclaration(node.parent)) return node.parent.name.getText(src);
  if ((ts.isArrowFunction(node) || ts.isFunctionExpression(node)) && ts.isPropertyAssignment(node.parent)) return node.parent.name.getText(src);
  return null;
}

const found: { lines: number; where: string }[] = [];
for (const dir of dirs) {
  for (const f of files(dir)) {
    const src = ts.createSourceFile(f, readFileSync(f, 'utf8'), ts.ScriptTarget.Latest, true);
    const visit = (node: ts.Node) => {
      const name = nameOf(node, src);
      if (name) {
        const a = src.getLineAndCharacterOfPosition(node.getStart(src)).line;
        const b = src.getLineAndCharacterOfPosition(node.getEnd()).line;
        found.push({ lines: b - a + 1, where: `${f}:${a + 1} ${name}` });
      }
      ts.forEachChild(node, visit);
    };
    visit(src);
  }
}
found.sort((x, y) => y.lines - x.lines);
for (const x of found.slice(0, top)) console.log(String(x.lines).padStart(5), x.where);
console.log(`${found.filter((x) => x.lines > 80).length} functions over 80 lines (of ${found.length})`);
