/**
 * Known providers as data. An OpenAI-compatible vendor is a preset of the `openai`
 * wire protocol with its own base URL, key variable and headers — never a subclass.
 */

/** The wire protocols a provider can speak: the one list (config validation and its messages read it too). */
export const PROVIDER_KINDS = ['openai', 'anthropic', 'gemini'] as const;
export type ProviderKind = (typeof PROVIDER_KINDS)[number];

/** How an Anthropic-protocol endpoint wants the key: `x-api-key` (the API) or `Authorization: Bearer` (some gateways). */
export type AuthStyle = 'bearer' | 'x-api-key' | 'x-goog-api-key' | 'none';

export interface ProviderPreset {
  id: string;
  name: string;
  kind: ProviderKind;
  baseUrl: string;
  /** Environment variable that holds the key; null for keyless local servers. */
  apiKeyEnv: string | null;
  headers?: Record<string, string>;
  auth?: AuthStyle;
  /** Local servers: no key, cheap to probe. */
  local?: boolean;
  /** Where a user gets a key. */
  keyUrl?: string;
  /**
   * Its Chat Completions answers say which stop sequence ended them, where OpenAI's say only "stop":
   * vLLM's `choices[].stop_reason`, SGLang's `matched_stop` (the matched string; a token id, or
   * null, when none of the request's stop sequences matched).
   */
  reportsStopMatch?: true;
}

export const PRESETS: readonly ProviderPreset[] = [
  {
    id: 'openai',
    name: 'OpenAI',
    kind: 'openai',
    baseUrl: 'https://api.openai.com/v1',
    apiKeyEnv: 'OPENAI_API_KEY',
    keyUrl: 'https://platform.openai.com/api-keys',
  },
  {
    id: 'anthropic',
    name: 'Anthropic',
    kind: 'anthropic',
    baseUrl: 'https://api.anthropic.com/v1',
    apiKeyEnv: 'ANTHROPIC_API_KEY',
    keyUrl: 'https://console.anthropic.com/settings/keys',
  },
  {
    id: 'google',
    name: 'Google Gemini',
    kind: 'gemini',
    baseUrl: 'https://generativelanguage.googleapis.com/v1beta',
    apiKeyEnv: 'GEMINI_API_KEY',
    keyUrl: 'https://aistudio.google.com/apikey',
  },
  {
    id: 'openrouter',
    name: 'OpenRouter',
    kind: 'openai',
    baseUrl: 'https://openrouter.ai/api/v1',
    apiKeyEnv: 'OPENROUTER_API_KEY',
    headers: { 'HTTP-Referer': 'https://github.com/switchboard/switchboard', 'X-Title': 'Switchboard' },
    keyUrl: 'https://openrouter.ai/keys',
  },
  {
    id: 'mistral',
    name: 'Mistral',
    kind: 'openai',
    baseUrl: 'https://api.mistral.ai/v1',
    apiKeyEnv: 'MISTRAL_API_KEY',
    keyUrl: 'https://console.mistral.ai/api-keys',
  },
  { id: 'groq', name: 'Groq', kind: 'openai', baseUrl: 'https://api.groq.com/openai/v1', apiKeyEnv: 'GROQ_API_KEY', keyUrl: 'https://console.groq.com/keys' },
  {
    id: 'deepseek',
    name: 'DeepSeek',
    kind: 'openai',
    baseUrl: 'https://api.deepseek.com/v1',
    apiKeyEnv: 'DEEPSEEK_API_KEY',
    keyUrl: 'https://platform.deepseek.com/api_keys',
  },
  { id: 'xai', name: 'xAI', kind: 'openai', baseUrl: 'https://api.x.ai/v1', apiKeyEnv: 'XAI_API_KEY', keyUrl: 'https://console.x.ai' },
  { id: 'together', name: 'Together AI', kind: 'openai', baseUrl: 'https://api.together.xyz/v1', apiKeyEnv: 'TOGETHER_API_KEY' },
  { id: 'fireworks', name: 'Fireworks', kind: 'openai', baseUrl: 'https://api.fireworks.ai/inference/v1', apiKeyEnv: 'FIREWORKS_API_KEY' },
  { id: 'ollama', name: 'Ollama (local)', kind: 'openai', baseUrl: 'http://127.0.0.1:11434/v1', apiKeyEnv: null, local: true },
  { id: 'lmstudio', name: 'LM Studio (local)', kind: 'openai', baseUrl: 'http://127.0.0.1:1234/v1', apiKeyEnv: null, local: true },
  { id: 'vllm', name: 'vLLM (local)', kind: 'openai', baseUrl: 'http://127.0.0.1:8000/v1', apiKeyEnv: 'VLLM_API_KEY', local: true, reportsStopMatch: true },
  {
    id: 'sglang',
    name: 'SGLang (local)',
    kind: 'openai',
    baseUrl: 'http://127.0.0.1:30000/v1',
    apiKeyEnv: 'SGLANG_API_KEY',
    local: true,
    reportsStopMatch: true,
  },
  { id: 'litellm', name: 'LiteLLM proxy', kind: 'openai', baseUrl: 'http://127.0.0.1:4000/v1', apiKeyEnv: 'LITELLM_API_KEY', local: true },
];

/** `gemini` is accepted as an alias of the `google` preset. */
const ALIASES: Record<string, string> = { gemini: 'google' };

export function findPreset(id: string): ProviderPreset | undefined {
  const key = ALIASES[id] ?? id;
  return PRESETS.find((p) => p.id === key);
}

/** The env vars the extension offers to import on first run. */
export const KEY_ENV_VARS = PRESETS.filter((p) => p.apiKeyEnv && !p.local).map((p) => ({ providerId: p.id, env: p.apiKeyEnv! }));

export function defaultAuthStyle(kind: ProviderKind): AuthStyle {
  return kind === 'anthropic' ? 'x-api-key' : kind === 'gemini' ? 'x-goog-api-key' : 'bearer';
}
