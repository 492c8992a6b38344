// Markdown's definitions are its sections: each ATX heading (`#` … `######`) up to the next heading of the same or a
// higher level, nested by level. Headings inside fenced code blocks are code, not structure.
import type { Definition } from './chunk-layout';
import type { SourceLines } from './text-splitter';

const heading = /^ {0,3}(#{1,6})[ \t]+(.*?)[ \t#]*\r?$/;
const fence = /^ {0,3}(```|~~~)/;

export function markdownSections(lines: SourceLines): Definition[] {
  const roots: Definition[] = [];
  const open: { level: number; definition: Definition }[] = [];
  let fenced = '';
  for (let row = 0; row < lines.count; row++) {
    const text = lines.slice(row, row);
    const fenceMark = fence.exec(text)?.[1];
    if (fenceMark && (!fenced || fenced === fenceMark)) fenced = fenced ? '' : fenceMark;
    const match = fenced ? null : heading.exec(text);
    if (!match) continue;
    const level = match[1].length;
    while (open.length && open[open.length - 1].level >= level) open.pop()!.definition.end = row - 1;
    const definition: Definition = { start: row, end: lines.count - 1, kind: 'heading', name: match[2], children: [] };
    (open.length ? open[open.length - 1].definition.children : roots).push(definition);
    open.push({ level, definition });
  }
  return roots;
}
