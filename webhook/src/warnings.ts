// Warnings travel from the AdmissionResponse to the client as HTTP Warning headers. The API server drops any
// warning with a control character (newlines included), and once a request's warnings pass 4096 runes in all it
// cuts each to 256 runes and drops the rest (k8s.io/apiserver endpoints/filters/warning.go). We apply the same
// rules first, so what the user sees is what we sent.

export const MAX_WARNING_RUNES = 256;
export const MAX_TOTAL_WARNING_RUNES = 4096;

// eslint-disable-next-line no-control-regex -- matching control characters is the point
const CONTROL_CHARACTERS = /[\u0000-\u001f\u007f-\u009f]+/g;
const SPACES = / {2,}/g;

/** One line each, no control characters, no duplicates; over 4096 code points in all, each cut to 256 and the rest dropped. */
export function sanitizeWarnings(warnings: readonly string[]): string[] {
  const lines = [...new Set(warnings.map((w) => w.replace(CONTROL_CHARACTERS, ' ').replace(SPACES, ' ').trim()))].filter(Boolean);
  if (totalRunes(lines) <= MAX_TOTAL_WARNING_RUNES) return lines;
  const result: string[] = [];
  let total = 0;
  for (const line of lines) {
    const text = truncateRunes(line, MAX_WARNING_RUNES);
    total += [...text].length;
    if (total > MAX_TOTAL_WARNING_RUNES) break;
    result.push(text);
  }
  return result;
}

function totalRunes(lines: readonly string[]): number {
  return lines.reduce((sum, line) => sum + [...line].length, 0);
}

function truncateRunes(text: string, maxRunes: number): string {
  const runes = [...text];
  return runes.length <= maxRunes ? text : `${runes.slice(0, maxRunes - 1).join('')}…`;
}
