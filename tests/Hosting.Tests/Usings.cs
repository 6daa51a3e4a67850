global using System.Net.Http.Json;
global using CreAspire.Hosting.ApplicationModel;
