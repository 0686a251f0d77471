/**
 * Images in the chat's composer: pasted, dropped or picked (the host's file dialog), shown as
 * removable thumbnails until sent. Checked here for type and size; whether the model takes images
 * at all is checked when sending (main.ts) and again by the host.
 */
import { CHAT_IMAGE_TYPES, MAX_CHAT_IMAGE_BYTES, MAX_CHAT_IMAGES, type ChatImage } from '../../shared/protocol/chat.ts';
import { h, iconButton } from '../shared/dom.ts';

/** Long edge of the preview, in CSS pixels at 2× density. */
const THUMB_PX = 96;

type ImageType = (typeof CHAT_IMAGE_TYPES)[number];

function isImageType(t: string): t is ImageType {
  return (CHAT_IMAGE_TYPES as readonly string[]).includes(t);
}

function toBase64(bytes: Uint8Array): string {
  let s = '';
  for (let i = 0; i < bytes.length; i += 0x8000) s += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(s);
}

function fromBase64(data: string): Uint8Array<ArrayBuffer> {
  const s = atob(data);
  const out = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) out[i] = s.charCodeAt(i);
  return out;
}

/** A small PNG preview drawn on a canvas (no network, so the strict CSP holds); '' when the image cannot be decoded. */
async function thumbOf(blob: Blob): Promise<string> {
  try {
    const bmp = await createImageBitmap(blob);
    const scale = Math.min(1, THUMB_PX / Math.max(bmp.width, bmp.height));
    const canvas = document.createElement('canvas');
    canvas.width = Math.max(1, Math.round(bmp.width * scale));
    canvas.height = Math.max(1, Math.round(bmp.height * scale));
    canvas.getContext('2d')?.drawImage(bmp, 0, 0, canvas.width, canvas.height);
    bmp.close();
    return canvas.toDataURL('image/png');
  } catch {
    return '';
  }
}

export class ImageComposer {
  /** The thumbnails row above the message box. */
  readonly strip: HTMLElement;
  /** Why an image was not taken, or why the message was not sent (an alert under the strip). */
  readonly notice: HTMLElement;
  private images: ChatImage[] = [];
  private readonly takesImages: () => boolean;

  constructor(takesImages: () => boolean) {
    this.takesImages = takesImages;
    this.strip = h('div', { class: 'composer-images', role: 'list', ariaLabel: 'Attached images' });
    this.strip.hidden = true;
    this.notice = h('div', { class: 'composer-notice', role: 'alert' });
    this.notice.hidden = true;
  }

  get count(): number {
    return this.images.length;
  }

  list(): ChatImage[] {
    return [...this.images];
  }

  clear(): void {
    this.images = [];
    this.hideNotice();
    this.render();
  }

  restore(images: ChatImage[]): void {
    this.images = [...images];
    this.render();
  }

  showNotice(message: string): void {
    this.notice.replaceChildren(h('span', { class: 'codicon codicon-warning' }), h('span', { class: 'notice-text' }, message));
    this.notice.hidden = false;
  }

  hideNotice(): void {
    this.notice.hidden = true;
    this.notice.replaceChildren();
  }

  /** Files pasted or dropped: images of a supported type and size are added; the rest are named in the notice. */
  async addFiles(files: File[]): Promise<void> {
    const problems: string[] = [];
    const added: ChatImage[] = [];
    for (const f of files) {
      if (!isImageType(f.type)) {
        problems.push(`${f.name || 'that file'} is not a PNG, JPEG, GIF or WebP image`);
        continue;
      }
      if (f.size > MAX_CHAT_IMAGE_BYTES) {
        problems.push(`${f.name || 'the image'} is ${(f.size / 1024 / 1024).toFixed(1)} MB, over the 5 MB providers accept`);
        continue;
      }
      const bytes = new Uint8Array(await f.arrayBuffer());
      added.push({ name: f.name || `pasted.${f.type.slice(6)}`, mediaType: f.type, data: toBase64(bytes), thumb: await thumbOf(f) });
    }
    this.add(added, problems);
  }

  /** Images the host read (file dialog): previews are drawn here. */
  async addEncoded(images: ChatImage[]): Promise<void> {
    const added: ChatImage[] = [];
    for (const img of images) added.push({ ...img, thumb: img.thumb || (await thumbOf(new Blob([fromBase64(img.data)], { type: img.mediaType }))) });
    this.add(added, []);
  }

  private add(added: ChatImage[], problems: string[]): void {
    const room = MAX_CHAT_IMAGES - this.images.length;
    if (added.length > room) problems.push(`at most ${MAX_CHAT_IMAGES} images per message`);
    this.images.push(...added.slice(0, Math.max(0, room)));
    if (this.images.length && !this.takesImages()) problems.push('the current model does not take images: pick one that does before sending');
    if (problems.length) this.showNotice(`${problems.join('; ')}.`.replace(/^./, (c) => c.toUpperCase()));
    else this.hideNotice();
    this.render();
  }

  private remove(index: number): void {
    this.images.splice(index, 1);
    if (!this.images.length) this.hideNotice();
    this.render();
  }

  private render(): void {
    this.strip.replaceChildren(
      ...this.images.map((img, i) => {
        let preview: HTMLElement[];
        if (img.thumb) {
          const pic = h('img', { class: 'thumb' });
          pic.src = img.thumb;
          pic.alt = img.name;
          preview = [pic];
        } else preview = [h('span', { class: 'codicon codicon-file-media' }), h('span', { class: 'image-name' }, img.name)];
        return h(
          'span',
          { class: 'composer-image', role: 'listitem', title: `${img.name} — sent with your next message` },
          ...preview,
          iconButton('close', `Remove ${img.name}`, () => this.remove(i), { iconOnly: true, class: 'icon-only image-remove', title: 'Remove' }),
        );
      }),
    );
    this.strip.hidden = this.images.length === 0;
  }
}
