// The GCS emulator: Google Cloud Storage's JSON API, uploads and downloads on 127.0.0.1:4443 by default,
// objects kept under GcsEmulator:DataDirectory, finalize events pushed to GcsEmulator:Notifications:Subscribers.
// What it serves and what it does not: docs/gcs-emulator.md.
await CoffeeMesh.GcsEmulator.GcsEmulatorApp.Create(args).RunAsync();
