import { parseProfile } from 'passport-fattureincloud';
import { ACCOUNTANT_COMPANIES, SINGLE_COMPANY, SAMPLE_USER } from 'passport-fattureincloud/testing';
import { expectTrue } from '../../../test/support/snippet-context.ts';

// SNIPPET

const plain = parseProfile({ data: SAMPLE_USER }, { data: { companies: SINGLE_COMPANY } });
expectTrue(onlyCompany(plain) === SINGLE_COMPANY[0]?.id, 'a plain user with one company gets it without asking');
const accountant = parseProfile({ data: SAMPLE_USER }, { data: { companies: ACCOUNTANT_COMPANIES } });
const ids = companiesOf(accountant).map((company) => company.id);
const controlled = ACCOUNTANT_COMPANIES[0]?.controlled_companies ?? [];
expectTrue(controlled.length === 2 && controlled.every((company) => ids.includes(company.id)), "an accountant's clients are listed");
expectTrue(onlyCompany(accountant) === undefined, 'an accountant with two clients chooses');
const none = parseProfile({ data: SAMPLE_USER }, { data: { companies: [] } });
expectTrue(companiesOf(none).length === 0 && onlyCompany(none) === undefined, 'a user with no company has nothing to choose');
