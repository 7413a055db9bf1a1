// Workflow tests run against mocked activities: each takes seconds, the limit leaves room for a loaded machine.
jest.setTimeout(60_000);
