/**
 * What a request needs from a model, checked against its capabilities before anything is sent:
 * a single model that cannot serve it is a `bad_request` naming the parameter, the model and the
 * fix; a route skips such members and says why in its attempts list.
 */
import type { ChatMessage, ModelCapabilities, ModelRequest } from '../types.ts';
import { contentPath } from '../providers/shared.ts';

export interface Unmet {
  /** The request parameter that needs what the model lacks. */
  param: string;
  /** Why, in words ("does not call tools"). */
  why: string;
}

/** Where the first part of `type` is (in a turn or in a tool result), or null. */
function findPart(messages: readonly ChatMessage[], type: 'image' | 'file'): string | null {
  for (const [i, m] of messages.entries()) {
    if (typeof m.content === 'string') continue;
    for (const [j, p] of m.content.entries()) {
      if (p.type === type) return contentPath(i, j);
      if (p.type === 'tool-result' && typeof p.content !== 'string') {
        const k = p.content.findIndex((c) => c.type === type);
        if (k >= 0) return contentPath(i, j, k);
      }
    }
  }
  return null;
}

/** The first capability the request needs that the model lacks, or null. */
export function unmetNeed(req: ModelRequest, caps: ModelCapabilities): Unmet | null {
  if (req.tools && req.tools.length > 0 && req.toolChoice !== 'none' && !caps.toolCalling) return { param: 'tools', why: 'does not call tools' };
  if (req.responseFormat?.type === 'json_schema' && !caps.structuredOutput) return { param: 'responseFormat', why: 'cannot answer to a JSON Schema' };
  const image = caps.imageInput ? null : findPart(req.messages, 'image');
  if (image) return { param: `${image} (image)`, why: 'does not take images' };
  const file = caps.pdfInput ? null : findPart(req.messages, 'file');
  if (file) return { param: `${file} (file)`, why: 'does not take PDF documents' };
  return null;
}

/** Where the user's settings are: the config file (CLI, gateway, library) or VS Code's switchboard.* settings. */
export type SettingsPlace = 'config' | 'vscode';

/** How a fix names a model's capability override: in the config file, or in VS Code's switchboard.capabilities setting. */
export function capabilitySetting(model: string, key: string, value: string, place: SettingsPlace = 'config'): string {
  return place === 'vscode'
    ? `"${key}": ${value} for "${model}" in the switchboard.capabilities setting`
    : `capabilities["${model}"].${key}: ${value} in the config`;
}

/**
 * A config key as the user edits it, for a fix: `budget.onExceed` in the config file, or
 * `"onExceed" in the switchboard.budget setting` in VS Code.
 */
export function settingKey(path: string, place: SettingsPlace = 'config'): string {
  if (place !== 'vscode') return path;
  const dot = path.indexOf('.');
  return dot < 0 ? `the switchboard.${path} setting` : `"${path.slice(dot + 1)}" in the switchboard.${path.slice(0, dot)} setting`;
}

/** The config key that overrides a capability, for the error's fix. */
export function overrideHint(param: string, model: string, place: SettingsPlace = 'config'): string {
  const key = param === 'tools' ? 'toolCalling' : param === 'responseFormat' ? 'structuredOutput' : param.includes('image') ? 'imageInput' : 'pdfInput';
  return `pick a model that can, or if ${model} can, set ${capabilitySetting(model, key, 'true', place)}`;
}
