/**
 * PostgreSQL WAL positions (`pg_lsn`, printed `16/B374D848`) as bigints, and as the fixed-width
 * hexadecimal text Redis compares as strings (`00000016B374D848`).
 */
const LSN = /^([0-9A-Fa-f]{1,8})\/([0-9A-Fa-f]{1,8})$/;

export function parseLsn(text: string): bigint {
  const match = LSN.exec(text);
  if (!match) throw new Error(`not a WAL position: ${text}`);
  return (BigInt(`0x${match[1]}`) << 32n) | BigInt(`0x${match[2]}`);
}

/** 16 hex digits: two positions compare as strings exactly as they compare as numbers. */
export function lsnKeyText(lsn: bigint): string {
  return lsn.toString(16).toUpperCase().padStart(16, '0');
}

export function lsnFromKeyText(text: string): bigint {
  if (!/^[0-9A-F]{16}$/.test(text)) throw new Error(`not a stored WAL position: ${text}`);
  return BigInt(`0x${text}`);
}
