// How the person's history names a service that received (or was to receive) their data: the
// provider, the service and the purpose it was registered with, in the page's language.
import type { RecipientNames } from '../web/history-names.ts';
import type { ServiceDirectory } from './service-repository.ts';

export function serviceRecipientNames(directory: Pick<ServiceDirectory, 'cachedService'>): RecipientNames {
  return {
    nameOf(kind, id) {
      if (kind !== 'service') return undefined;
      const found = directory.cachedService(id);
      if (!found) return undefined;
      const { service, provider } = found;
      return {
        'zh-TW': `${provider?.name['zh-TW'] ?? service.clientId}「${service.name['zh-TW']}」（目的：${service.purpose['zh-TW']}）`,
        en: `${provider?.name.en ?? service.clientId}, ${service.name.en} (purpose: ${service.purpose.en})`,
      };
    },
  };
}
