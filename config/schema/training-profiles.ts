/** Training profiles (own module: the CLI's option help lists them without loading zod). */
export const trainingProfiles = ['auto', 'paper', 'single-gpu-80gb', 'cpu'] as const;
export type TrainingProfile = (typeof trainingProfiles)[number];
