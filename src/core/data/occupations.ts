/** ml-1m's occupation codes (users.dat), as listed in its README. */
export const ML1M_OCCUPATIONS: readonly string[] = [
  'other',
  'academic/educator',
  'artist',
  'clerical/admin',
  'college/grad student',
  'customer service',
  'doctor/health care',
  'executive/managerial',
  'farmer',
  'homemaker',
  'K-12 student',
  'lawyer',
  'programmer',
  'retired',
  'sales/marketing',
  'scientist',
  'self-employed',
  'technician/engineer',
  'tradesman/craftsman',
  'unemployed',
  'writer',
];

/** ml-1m's age bucket codes and what they stand for. */
export const ML1M_AGES: Readonly<Record<number, string>> = {
  1: 'Under 18',
  18: '18-24',
  25: '25-34',
  35: '35-44',
  45: '45-49',
  50: '50-55',
  56: '56+',
};
