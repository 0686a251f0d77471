/**
 * Images sent to models from VS Code (the lm provider's data parts, the chat's attachments).
 * Pure (no 'vscode'): the media types providers accept, the pixel size read from the file's own
 * header, and a token estimate from that size.
 */

/** The image types every image-capable protocol we speak accepts (OpenAI, Anthropic, Gemini). */
export const IMAGE_MEDIA_TYPES: readonly string[] = ['image/png', 'image/jpeg', 'image/gif', 'image/webp'];

/** Largest image we send (Anthropic refuses over 5 MB per image; OpenAI over 20 MB). */
export const MAX_IMAGE_BYTES = 5 * 1024 * 1024;

export function isSupportedImageType(mediaType: string): boolean {
  return IMAGE_MEDIA_TYPES.includes(mediaType.toLowerCase());
}

/** Width and height from a PNG, JPEG, GIF or WebP header; null when the bytes are none of those (or cut short). */
export function imageSize(b: Uint8Array): { width: number; height: number } | null {
  const u16be = (i: number): number => (b[i]! << 8) | b[i + 1]!;
  const u16le = (i: number): number => b[i]! | (b[i + 1]! << 8);
  const u24le = (i: number): number => b[i]! | (b[i + 1]! << 8) | (b[i + 2]! << 16);
  const u32be = (i: number): number => ((b[i]! << 24) >>> 0) + (b[i + 1]! << 16) + (b[i + 2]! << 8) + b[i + 3]!;
  const ascii = (i: number, n: number): string => String.fromCharCode(...b.subarray(i, i + n));
  if (b.length >= 24 && b[0] === 0x89 && ascii(1, 3) === 'PNG' && ascii(12, 4) === 'IHDR') return { width: u32be(16), height: u32be(20) };
  if (b.length >= 10 && (ascii(0, 6) === 'GIF87a' || ascii(0, 6) === 'GIF89a')) return { width: u16le(6), height: u16le(8) };
  if (b.length >= 30 && ascii(0, 4) === 'RIFF' && ascii(8, 4) === 'WEBP') {
    const kind = ascii(12, 4);
    if (kind === 'VP8X') return { width: u24le(24) + 1, height: u24le(27) + 1 };
    if (kind === 'VP8L') {
      const bits = b[21]! | (b[22]! << 8) | (b[23]! << 16) | (b[24]! << 24);
      return { width: (bits & 0x3fff) + 1, height: ((bits >>> 14) & 0x3fff) + 1 };
    }
    if (kind === 'VP8 ') return { width: u16le(26) & 0x3fff, height: u16le(28) & 0x3fff };
    return null;
  }
  if (b.length >= 4 && b[0] === 0xff && b[1] === 0xd8) {
    // JPEG: walk the segments to the first start-of-frame marker (SOF0…SOF15 except DHT/JPG/DAC).
    let i = 2;
    while (i + 9 < b.length) {
      if (b[i] !== 0xff) return null;
      const marker = b[i + 1]!;
      if (marker === 0xff) {
        i++;
        continue;
      }
      const len = u16be(i + 2);
      if (marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc) return { width: u16be(i + 7), height: u16be(i + 5) };
      i += 2 + len;
    }
  }
  return null;
}

/**
 * Tokens an image costs as input. Providers scale large images down first (Anthropic to a long edge
 * of 1568 px) and then charge about one token per 750 px² (Anthropic's published rule; OpenAI's
 * tile rule lands close to it). Unknown size: 1,600 tokens, the most such a scaled image costs,
 * so a context check errs on the safe side.
 */
export function imageTokens(bytes: Uint8Array): number {
  const size = imageSize(bytes);
  if (!size || size.width <= 0 || size.height <= 0) return 1_600;
  const scale = Math.min(1, 1568 / Math.max(size.width, size.height));
  const w = Math.max(1, Math.round(size.width * scale));
  const h = Math.max(1, Math.round(size.height * scale));
  return Math.min(1_600, Math.max(1, Math.ceil((w * h) / 750)));
}

/** Base64 of bytes, in plain Node and in the extension host alike. */
export function toBase64(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64');
}
