import { memoryStorage } from '../../../runtime/db/storage/index.js';
import { storageContract } from './storage-contract.js';

storageContract('memory', async () => memoryStorage());
