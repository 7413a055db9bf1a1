// Integration tests start real servers and workers: give them room.
jest.setTimeout(180_000);
