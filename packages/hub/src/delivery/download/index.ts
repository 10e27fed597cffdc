// Mode 1's download package: building it (hub side) and opening and checking it (verify command).
export { type BuildDownloadOptions, buildDownloadPackage, type LocalizedName } from './build-download-package.ts';
export { checkAgencyPackage, type PackageCheck, sameBytes } from './check-package.ts';
export {
  DOWNLOAD_FORMAT,
  DOWNLOAD_PATHS,
  type DownloadIndex,
  type DownloadIndexDataset,
  downloadIndexSchema,
  folderOf,
  parseEntryPath,
} from './download-index.ts';
export { DOWNLOAD_ERROR_MESSAGES, DownloadError, type DownloadErrorCode } from './errors.ts';
export { DEFAULT_DOWNLOAD_LIMITS, type DownloadLimits, looksLikeDownload, type OpenedDownload, openDownload, parseDownloadIndex } from './open-download.ts';
export {
  checkDownloadPassword,
  MAX_PASSWORD_LENGTH,
  MIN_PASSWORD_LENGTH,
  PASSWORD_HINT_MESSAGES,
  type PasswordHint,
  type PasswordStrength,
  passwordLength,
  passwordStrength,
} from './password.ts';
export { renderReadme } from './readme.ts';
