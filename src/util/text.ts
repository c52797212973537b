/** Text that came from files (graph, node and tensor names; paths) made safe to print on one terminal line. */

/** Names inside messages come from untrusted files: escape control characters so an error stays one line. */
export function oneLine(msg: string, max = 4000): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: matches control characters on purpose, to escape them
  const s = msg.replace(/[\u0000-\u001f\u007f]/g, (c) =>
    c === '\n' ? '\\n' : c === '\r' ? '\\r' : c === '\t' ? ' ' : `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`,
  );
  return s.length > max ? `${s.slice(0, max)}… (${s.length - max} more characters)` : s;
}
