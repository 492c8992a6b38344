// Markdown's definitions are its sections: each heading up to the next heading of the same or a higher level, nested by
// level. Headings are ATX (`#` … `######`) or setext (a paragraph line underlined with `===`, level 1, or `---`, level 2,
// as changelogs like express's History.md write each release). Headings inside fenced code blocks are code, not
// structure, and so is a YAML front matter block.
import type { Definition } from './chunk-layout';
import type { SourceLines } from './text-splitter';

const atxHeading = /^ {0,3}(#{1,6})[ \t]+(.*?)[ \t#]*\r?$/;
const setextUnderline = /^ {0,3}(=+|-+)[ \t]*\r?$/;
const fence = /^ {0,3}(```|~~~)/;
/** Lines that cannot be a setext heading's text: list items, quotes, tables, indented code, other headings. */
const notHeadingText = /^( {4}|\t| {0,3}([-*+>|#]|\d+[.)])(\s|$))/;

interface Heading {
  row: number;
  level: number;
  name: string;
}

export function markdownSections(lines: SourceLines): Definition[] {
  const roots: Definition[] = [];
  const open: { level: number; definition: Definition }[] = [];
  for (const { row, level, name } of headings(lines)) {
    while (open.length && open[open.length - 1].level >= level) open.pop()!.definition.end = row - 1;
    const definition: Definition = { start: row, end: lines.count - 1, kind: 'heading', name, children: [] };
    (open.length ? open[open.length - 1].definition.children : roots).push(definition);
    open.push({ level, definition });
  }
  return roots;
}

function headings(lines: SourceLines): Heading[] {
  const found: Heading[] = [];
  let fenced = '';
  /** Where the paragraph the previous line is in began; -1 outside one (a setext heading's text is one paragraph line). */
  let paragraph = -1;
  for (let row = frontMatterEnd(lines); row < lines.count; row++) {
    const text = lines.slice(row, row);
    const fenceMark = fence.exec(text)?.[1];
    if (fenceMark && (!fenced || fenced === fenceMark)) fenced = fenced ? '' : fenceMark;
    if (fenced || fenceMark) {
      paragraph = -1;
      continue;
    }
    const atx = atxHeading.exec(text);
    const underline = setextUnderline.exec(text);
    if (atx) found.push({ row, level: atx[1].length, name: atx[2] });
    else if (underline && paragraph !== -1 && paragraph === row - 1) {
      found.push({ row: paragraph, level: underline[1][0] === '=' ? 1 : 2, name: lines.slice(paragraph, paragraph).trim() });
    } else if (text.trim() !== '' && !(underline && underline[1][0] === '-')) {
      if (paragraph === -1) paragraph = notHeadingText.test(text) ? -2 : row;
      continue;
    }
    paragraph = -1;
  }
  return found;
}

/** The first row after a `---` … `---` YAML front matter block at the top, else 0. */
function frontMatterEnd(lines: SourceLines): number {
  if (lines.count === 0 || lines.slice(0, 0).trimEnd() !== '---') return 0;
  for (let row = 1; row < lines.count; row++) if (/^(---|\.\.\.)\s*$/.test(lines.slice(row, row))) return row + 1;
  return 0;
}
