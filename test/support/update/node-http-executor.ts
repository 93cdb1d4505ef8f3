import type { ClientRequest, IncomingMessage, RequestOptions } from 'node:http';
import { request } from 'node:http';

import type { DownloadOptions } from 'builder-util-runtime';
import { configureRequestOptions, configureRequestUrl, HttpExecutor } from 'builder-util-runtime';

/**
 * An electron-updater HTTP executor over node:http, for tests without the Electron binary, whose
 * executor needs Electron's `net`. electron-updater still runs its own download, range and sha512
 * code on top of it. builder-util-runtime comes from electron-builder here; electron-updater
 * carries its own copy, whose HttpExecutor has the same shape.
 */
export class NodeHttpExecutor extends HttpExecutor<ClientRequest> {
  createRequest(options: RequestOptions, callback: (response: IncomingMessage) => void): ClientRequest {
    return request(options, callback);
  }

  async download(url: URL, destination: string, options: DownloadOptions): Promise<string> {
    return options.cancellationToken.createPromise<string>((resolve, reject, onCancel) => {
      const requestOptions: RequestOptions = { headers: options.headers ?? undefined };
      configureRequestUrl(url, requestOptions);
      configureRequestOptions(requestOptions);
      this.doDownload(requestOptions, { destination, options, onCancel, responseHandler: null, callback: (error) => (error == null ? resolve(destination) : reject(error)) }, 0);
    });
  }
}
