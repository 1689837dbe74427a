import type { FattureInCloudCompany, FattureInCloudUser } from '../login/profile';

/** Sample data in the shapes of Fatture in Cloud's documented responses. */
export const SAMPLE_USER: FattureInCloudUser = {
  id: 12345,
  name: 'Mario Rossi',
  first_name: 'Mario',
  last_name: 'Rossi',
  email: 'mario.rossi@example.com',
  hash: '5add29e1234532a1bf2ed7b612043029',
  picture: 'picture.jpg',
};

export const SINGLE_COMPANY: FattureInCloudCompany[] = [
  {
    id: 12345,
    name: 'Rossi S.r.l.',
    type: 'company',
    controlled_companies: null,
    fic_license_expire: '2027-12-31',
    fic_plan: 'premium',
    connection_id: 94566,
    tax_code: 'RSSMRA80A01H501U',
    vat_number: '01234567890',
  },
];

export const ACCOUNTANT_COMPANIES: FattureInCloudCompany[] = [
  {
    id: 12345,
    name: 'Studio Commercialista',
    tax_code: 'ABCSFN94T17A794K',
    vat_number: '03881520161',
    type: 'accountant',
    connection_id: 94566,
    fic_plan: 'complete',
    fic_license_expire: '2027-06-30',
    controlled_companies: [
      { id: 12246, name: 'Studio Commercialista', tax_code: 'ABCSFN94T17A794K', type: 'company', connection_id: 94566, fic_plan: 'premium_plus', fic_license_expire: '2027-12-31' },
      { id: 12347, name: 'Mario Rossi SRL', tax_code: '57398280214', type: 'company', connection_id: 94566, fic_plan: 'trial', fic_license_expire: '2027-01-31' },
    ],
  },
];
