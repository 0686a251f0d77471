/** Every command the extension registers (package.json `contributes.commands` lists the same ids). */
export const COMMAND_IDS = [
  'switchboard.switchModel',
  'switchboard.setApiKey',
  'switchboard.removeApiKey',
  'switchboard.importKeysFromEnv',
  'switchboard.openChat',
  'switchboard.newChat',
  'switchboard.addSelectionToChat',
  'switchboard.compareModels',
  'switchboard.askAboutSelection',
  'switchboard.compareSelection',
  'switchboard.explainSelection',
  'switchboard.reviewSelection',
  'switchboard.refreshCatalog',
  'switchboard.showUsage',
  'switchboard.openSettings',
  'switchboard.insertAnswer',
  'switchboard.replaceSelectionWithAnswer',
  'switchboard.diffAnswer',
  'switchboard.acceptProposal',
  'switchboard.showLog',
  'switchboard.startGateway',
  'switchboard.stopGateway',
  'switchboard.openComparison',
  'switchboard.showCompareScoreboard',
] as const;

export type CommandId = (typeof COMMAND_IDS)[number];
