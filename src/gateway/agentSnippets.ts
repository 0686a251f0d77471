/**
 * How to point a coding agent at the local gateway: the environment variables or config snippet
 * for Claude Code (Anthropic Messages door), Codex CLI (Responses door) and any OpenAI-compatible
 * tool. Shared by VS Code's "Use with Claude Code / Codex / other tools" and the README; pure.
 */
export type AgentId = 'claude-code' | 'codex' | 'openai';

export interface AgentSnippet {
  id: AgentId;
  label: string;
  detail: string;
  /** Shell / TOML text, with the token in it: copy it to the clipboard, never log it. */
  text: string;
}

/** The model families Claude Code resolves through ANTHROPIC_DEFAULT_<family>_MODEL (2.1.x). */
const CLAUDE_FAMILIES = ['HAIKU', 'SONNET', 'OPUS', 'FABLE'] as const;

const shellQuote = (s: string): string => (/^[A-Za-z0-9_./:@%+=,-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`);

/**
 * `baseUrl` is the gateway's OpenAI base URL (…/v1); `model` any Switchboard id, route or alias;
 * `contextWindow` the model's context window in tokens when the catalog knows it (a route: its
 * smallest member's).
 */
export function agentSnippets(baseUrl: string, token: string, model: string, contextWindow?: number | null): AgentSnippet[] {
  const root = baseUrl.replace(/\/v1\/?$/, '');
  const m = shellQuote(model);
  const known = contextWindow && contextWindow > 0 ? Math.floor(contextWindow) : null;
  return [
    {
      id: 'claude-code',
      label: 'Claude Code',
      detail: 'environment variables: ANTHROPIC_BASE_URL, ANTHROPIC_AUTH_TOKEN, ANTHROPIC_MODEL and the model for each of its families',
      text: [
        `export ANTHROPIC_BASE_URL=${root}`,
        `export ANTHROPIC_AUTH_TOKEN=${shellQuote(token)}`,
        `export ANTHROPIC_MODEL=${m}`,
        // Claude Code picks models by family too (background tasks, subagents started with
        // model "haiku", /model opus…) and names them its own way ("claude-haiku-4-5-…"), which
        // the gateway does not know: every family lands on the same model.
        `export ANTHROPIC_SMALL_FAST_MODEL=${m}`,
        ...CLAUDE_FAMILIES.map((f) => `export ANTHROPIC_DEFAULT_${f}_MODEL=${m}`),
        // Claude Code takes any model it does not know for a 200k-token one and compacts the
        // conversation near that: a smaller window lowers it (Claude Code keeps the lower of the two).
        ...(known ? [`export CLAUDE_CODE_AUTO_COMPACT_WINDOW=${known}`] : []),
        'export CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC=1',
        'claude',
      ].join('\n'),
    },
    {
      id: 'codex',
      label: 'Codex CLI',
      detail: 'a model provider in ~/.codex/config.toml (wire_api = "responses") and SWITCHBOARD_TOKEN',
      text: [
        '# ~/.codex/config.toml',
        `model = ${JSON.stringify(model)}`,
        'model_provider = "switchboard"',
        // Codex knows no metadata for a name it did not ship with and assumes a window of its own
        // models (it compacts the conversation only near ~250k tokens): told the real one, it compacts
        // before the model refuses a conversation that outgrew it.
        ...(known ? [`model_context_window = ${known}`] : []),
        '',
        '[model_providers.switchboard]',
        'name = "Switchboard"',
        `base_url = ${JSON.stringify(baseUrl)}`,
        'env_key = "SWITCHBOARD_TOKEN"',
        'wire_api = "responses"',
        '',
        '# then, in the shell:',
        `# export SWITCHBOARD_TOKEN=${shellQuote(token)}`,
        '# codex',
      ].join('\n'),
    },
    {
      id: 'openai',
      label: 'Other tools (OpenAI-compatible)',
      detail: 'OPENAI_BASE_URL and OPENAI_API_KEY: the openai SDKs, the Vercel AI SDK, LangChain, Aider, …',
      text: [`export OPENAI_BASE_URL=${baseUrl}`, `export OPENAI_API_KEY=${shellQuote(token)}`, `# model: ${model}`].join('\n'),
    },
  ];
}
