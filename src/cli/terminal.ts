/**
 * Text from outside (an answer, reasoning, a provider's error message) on its way to a terminal:
 * control characters are shown as their Unicode pictures (ESC → ␛) instead of acting, so an
 * upstream cannot clear the screen, retitle the window, write the clipboard (OSC 52) or hide text
 * behind a carriage return. Newlines, tabs and CRLF line ends stay as they are.
 */
export function showControls(text: string): string {
  return text.replace(/\r(?!\n)|[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f\u0080-\u009f]/g, (c) => {
    const code = c.charCodeAt(0);
    return code < 0x20 ? String.fromCharCode(0x2400 + code) : code === 0x7f ? '\u2421' : '?';
  });
}

/** `stream` with every string written through showControls (stderr: notices quote providers). */
export function controlsShown<T extends NodeJS.WritableStream>(stream: T): T {
  return new Proxy(stream, {
    get(target, prop) {
      if (prop === 'write')
        return (chunk: unknown, ...rest: unknown[]) =>
          (target.write as (...a: unknown[]) => boolean)(typeof chunk === 'string' ? showControls(chunk) : chunk, ...rest);
      const value: unknown = Reflect.get(target, prop, target);
      return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
    },
  });
}
