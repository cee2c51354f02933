/** A time as the same text on the server and in the browser (no locale or zone to differ): `2026-11-30 23:59:01 UTC`. */
export function when(iso: string | undefined): string {
  if (!iso) return '—';
  return `${iso.slice(0, 10)} ${iso.slice(11, 19)} UTC`;
}

/** How long between two times, in the largest units that matter: `42 s`, `3 min 5 s`, `2 h 10 min`. */
export function took(start: string, stop: string | undefined): string {
  if (!stop) return '—';
  const seconds = Math.max(0, Math.round((Date.parse(stop) - Date.parse(start)) / 1000));
  if (seconds < 60) return `${seconds} s`;
  if (seconds < 3600) return `${Math.floor(seconds / 60)} min ${seconds % 60} s`;
  return `${Math.floor(seconds / 3600)} h ${Math.floor((seconds % 3600) / 60)} min`;
}
