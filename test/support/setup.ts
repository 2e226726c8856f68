// Runs in every test worker before its files: fixes to the stand-ins that every suite relies on.
import './s3rver-read-after-write.js';
