// The demo's online services (mode 3), for the launcher and tests.
export { BANK, DEMO_SERVICES, type DemoService, demoServiceRegistry, registryEntry, SCHOLARSHIP } from './definitions.ts';
export { type RunningDemoService, startDemoService } from './service-server.ts';
