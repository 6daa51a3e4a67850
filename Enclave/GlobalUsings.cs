global using CreAspire.Protocol.Confidential;
global using CreAspire.Protocol.Enclave;
global using Microsoft.Extensions.Options;
