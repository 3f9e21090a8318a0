'use strict';
// Child process of "resume from a record in a new process": reads the record from argv[3], resumes, waits and
// downloads to argv[4] with a client made from the configuration in argv[2]; prints the task's final record.
const videogen = require('../..');

(async () => {
  const client = new videogen.Client(JSON.parse(process.argv[2]));
  const task = await client.resume(process.argv[3]);
  await task.wait();
  await task.download(process.argv[4]);
  process.stdout.write(JSON.stringify(task.record()));
  client.close();
})().catch((error) => {
  process.stderr.write(`${error.name}: ${error.message}\n`);
  process.exit(1);
});
