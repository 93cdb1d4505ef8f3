import { z } from 'zod';

// Zod compiles object parsers with `new Function` unless `jitless` is set, and the page's CSP
// forbids eval. Its eval probe runs when the first schemas are built, so the preload imports this
// module before any module that defines a schema.
z.config({ jitless: true });
