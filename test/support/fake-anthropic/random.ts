/** Random and hashed identifiers. */

const alphanumeric = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

export function randomBase64url(bytes: number): string {
  return Buffer.from(crypto.getRandomValues(new Uint8Array(bytes))).toString("base64url");
}

export function randomAlphanumeric(length: number): string {
  const bytes = crypto.getRandomValues(new Uint8Array(length));
  return Array.from(bytes, (b) => alphanumeric[b % alphanumeric.length]).join("");
}

export function sha256(text: string, encoding: "hex" | "base64" | "base64url"): string {
  return new Bun.CryptoHasher("sha256").update(text).digest(encoding);
}

export const requestId = () => `req_011C${randomAlphanumeric(20)}`;
export const messageId = () => `msg_01${randomAlphanumeric(22)}`;
